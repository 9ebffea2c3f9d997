package io.highlander.cdi.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.lock.LockKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefinitionRulesTest {

    @Test
    void namesWithTheSameLockKeyAreRejected() {
        // found by hashing job-0, job-1, ... until two keys met
        assertThat(LockKey.hash("job-45873")).isEqualTo(LockKey.hash("job-52859"));

        List<String> problems = DefinitionRules.crossCheck(List.of(
                new SingletonDefinition("job-45873", String.class),
                new SingletonDefinition("job-52859", Integer.class)));

        assertThat(problems).containsExactly("HL-0106: the cluster singleton names 'job-45873' and 'job-52859'"
                + " hash to the same lock key 329396989 and would share one lock; rename one of them.");
    }

    @Test
    void distinctNamesPass() {
        assertThat(DefinitionRules.crossCheck(List.of(
                new SingletonDefinition("a", String.class), new SingletonDefinition("b", Integer.class)))).isEmpty();
    }
}
