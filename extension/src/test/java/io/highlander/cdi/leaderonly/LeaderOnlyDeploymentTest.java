package io.highlander.cdi.leaderonly;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.testing.DeploymentFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The names of {@code @LeaderOnly} bindings follow the singletons' rules, and fail the deployment alike. */
class LeaderOnlyDeploymentTest {

    private static final HighlanderSettings SETTINGS = HighlanderSettings.builder().nodeId("a").build();

    @Test
    void aBlankNameOnAMethodIsRejected() {
        assertThat(deploymentFailure(BlankOnMethod.class)).contains("HL-0110: @LeaderOnly on "
                + BlankOnMethod.class.getName() + ".run() has a blank name; name the election it runs under,"
                + " e.g. @LeaderOnly(\"cleanup\").");
    }

    @Test
    void aBlankNameOnAClassIsRejected() {
        assertThat(deploymentFailure(BlankOnClass.class)).contains("HL-0110: @LeaderOnly on "
                + BlankOnClass.class.getName() + " has a blank name; name the election it runs under,"
                + " e.g. @LeaderOnly(\"cleanup\").");
    }

    @Test
    void aNameWhoseKeyCollidesWithASingletonsIsRejected() {
        assertThat(deploymentFailure(SingletonJob.class, CollidingWork.class)).contains("HL-0106: the cluster singleton"
                + " names 'job-45873' and 'job-52859' hash to the same lock key 329396989 and would share one lock;"
                + " rename one of them.");
    }

    @Test
    void anUnqualifiedLeadershipOutsideASingletonIsRejected() {
        assertThat(deploymentFailure(NotASingleton.class)).contains("HL-0111: Leadership is injected into "
                + NotASingleton.class.getName() + ".leadership, which is not a @ClusterSingleton, without a name;"
                + " select the election with @OfSingleton(\"...\") Leadership.");
    }

    private static String deploymentFailure(Class<?>... beanClasses) {
        return DeploymentFailures.of(SETTINGS, beanClasses);
    }

    @ApplicationScoped
    static class BlankOnMethod {
        @LeaderOnly(" ")
        void run() {
        }
    }

    @ApplicationScoped
    @LeaderOnly("")
    static class BlankOnClass {
        void run() {
        }
    }

    @ApplicationScoped
    @ClusterSingleton("job-45873")
    static class SingletonJob {
    }

    @ApplicationScoped
    static class CollidingWork {
        @LeaderOnly("job-52859")
        void run() {
        }
    }

    @ApplicationScoped
    static class NotASingleton {
        @Inject
        Leadership leadership;
    }
}
