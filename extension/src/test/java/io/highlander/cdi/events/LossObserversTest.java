package io.highlander.cdi.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a {@code LeadershipLost} observer may and may not hold up. */
class LossObserversTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private final SlowLossObserver.Gate gate = new SlowLossObserver.Gate();

    @RegisterExtension
    final TestCluster cluster = new TestCluster().share(SlowLossObserver.Gate.class, gate);
    private final History history = cluster.history();

    @AfterEach
    void openTheGate() {
        gate.open();
    }

    @Test
    void aSlowLeadershipLostObserverDoesNotKeepTheLockFromTheNextNode() {
        TestNode a = start("a");
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = start("b");

        a.elector().stepDown("ticker", Duration.ofMinutes(1));

        // the instance is destroyed, so the lock has nothing left to protect while the observer runs; well before
        // the graceful end's bound (the lease, 30 s), at which the lock is let go whatever runs
        await().atMost(Duration.ofSeconds(10)).until(() -> b.elector().isLeader("ticker"));
        assertThat(gate.observing()).as("a's LeadershipLost observer is still running").isEqualTo("a");
        gate.open();
        await().atMost(PATIENCE).until(() -> history.entries("lost:STEPPED_DOWN").size() == 1);
        assertThat(history.entries()).extracting(History.Entry::what)
                .containsSubsequence("stop", "start").containsSubsequence("lost:STEPPED_DOWN");
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    private TestNode start(String id) {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(30))
                .heartbeat(Duration.ofSeconds(1)).standbyInterval(Duration.ofMillis(500)).build();
        return cluster.start(settings, Ticker.class, LeadershipLog.class, SlowLossObserver.class);
    }
}
