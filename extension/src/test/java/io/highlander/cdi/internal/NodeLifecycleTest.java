package io.highlander.cdi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Shutdown;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When a container stops, the node hands over at CDI 4's {@code Shutdown}, after the application's own observers of
 * it (which may still call a singleton), instead of at {@code @BeforeDestroyed(ApplicationScoped.class)}, which Weld
 * SE fires only after every observer of {@code Shutdown} and milliseconds later (issue 22).
 */
class NodeLifecycleTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void aStoppingNodeHandsOverAtShutdownAfterTheApplicationsObserversOfIt() {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(3))
                .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofSeconds(1)).build();
        TestNode node = cluster.start(settings, Ticker.class, LeadershipLog.class, ShutdownWitness.class);
        await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker"));

        node.close();

        History history = cluster.history();
        assertThat(history.entries()).extracting(History.Entry::what)
                .containsSubsequence("shutdown seen by the application: leading", "stop", "lost:SHUTDOWN",
                        "shutdown seen after the library: not leading");
    }

    @Test
    void theStopPathsWarmUpWhileTheNodeRunsNotifiesNoObserverOfShutdown() {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(3))
                .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofSeconds(1)).build();
        TestNode node = cluster.start(settings, Ticker.class, LeadershipLog.class, ShutdownWitness.class);
        await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker"));

        // the container resolved the observers of Shutdown when the node started (issue 22): resolved, not fired
        assertThat(cluster.history().entries()).extracting(History.Entry::what)
                .noneMatch(what -> what.startsWith("shutdown seen"));
        assertThat(node.elector().isLeader("ticker")).as("and the warm-up ended no term").isTrue();
    }

    /** Observes {@code Shutdown} at an application's priority and at one after the library's. */
    @ApplicationScoped
    static class ShutdownWitness {

        @Inject
        History history;
        @Inject
        LeaderElector elector;

        void application(@Observes Shutdown event) {
            history.add(elector.nodeId(), "shutdown seen by the application: " + leading(), 0);
        }

        void afterTheLibrary(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 100) Shutdown event) {
            history.add(elector.nodeId(), "shutdown seen after the library: " + leading(), 0);
        }

        private String leading() {
            return elector.isLeader("ticker") ? "leading" : "not leading";
        }
    }
}
