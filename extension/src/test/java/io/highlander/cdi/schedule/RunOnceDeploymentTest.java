package io.highlander.cdi.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.testing.DeploymentFailures;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A wrong {@code @RunOnce} fails the deployment, one sentence per problem; one the deployment cannot see, the call. */
class RunOnceDeploymentTest {

    private static final HighlanderSettings SETTINGS = HighlanderSettings.builder().nodeId("a").build();

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void aPeriodThatIsNoDurationIsRejected() {
        assertThat(deploymentFailure(HourlyInQuarkusWords.class)).contains("HL-0481: @RunOnce on "
                + HourlyInQuarkusWords.class.getName() + ".run() has every = \"1h\", which is not a positive ISO-8601"
                + " duration, e.g. PT1H; correct it");
    }

    @Test
    void aNegativeMisfireGraceIsRejected() {
        assertThat(deploymentFailure(NegativeGrace.class)).contains("HL-0481: @RunOnce on "
                + NegativeGrace.class.getName() + ".run() has misfireGrace = \"-PT1S\", which is not an ISO-8601"
                + " duration of zero or more, e.g. PT30S; correct it");
    }

    @Test
    void runOnceWithoutLeaderOnlyIsRejected() {
        assertThat(deploymentFailure(NoElection.class)).contains("HL-0482: @RunOnce on " + NoElection.class.getName()
                + ".run() has no @LeaderOnly on the method or its class, so no election decides who records its"
                + " instants; add @LeaderOnly(\"name\")");
    }

    @Test
    void aMethodWhoseSkipHasNoValueFailsItsFirstCall() {
        TestNode node = cluster.start(SETTINGS, Counted.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> node.elector().isLeader("counted"));

        assertThatThrownBy(() -> node.bean(Counted.class).count()).isInstanceOf(IllegalStateException.class)
                .hasMessage("HL-0483: @RunOnce on " + Counted.class.getName() + ".count() returns int, which a skipped"
                        + " firing cannot give back; make it void (or return a future or Optional)");
    }

    private static String deploymentFailure(Class<?>... beanClasses) {
        return DeploymentFailures.of(SETTINGS, beanClasses);
    }

    @ApplicationScoped
    static class HourlyInQuarkusWords {
        @LeaderOnly("hourly")
        @RunOnce(every = "1h")
        void run() {
        }
    }

    @ApplicationScoped
    @LeaderOnly("graceful")
    static class NegativeGrace {
        @RunOnce(every = "PT1H", misfireGrace = "-PT1S")
        void run() {
        }
    }

    @ApplicationScoped
    static class NoElection {
        @RunOnce(every = "PT1H")
        void run() {
        }
    }

    @ApplicationScoped
    static class Counted {
        @LeaderOnly("counted")
        @RunOnce(every = "PT1M")
        int count() {
            return 1;
        }
    }
}
