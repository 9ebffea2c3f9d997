package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.internal.threads.LifecyclePool;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A standby does the first takeover's cold work while it waits (issue 12): it says once that it stands by, and
 * its node's lifecycle pool already has a thread parked (issue 22: shared by the node's singletons, named
 * {@value LifecyclePool#IDLE_NAME} while parked), so that taking over does not start with creating one; all without
 * creating the singleton's instance or running any user code on the standby.
 */
class TakeoverWarmUpTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void standbyLogsThatItStandsByAndParksItsLifecycleThreadWithoutAnInstance() {
        long before = parkedLifecycleThreads(); // those of earlier tests' nodes, if any still end
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            TestNode leader = start("a");
            await().atMost(PATIENCE).until(() -> leader.elector().isLeader("ticker"));
            TestNode standby = start("b");

            await().atMost(PATIENCE).until(() -> parkedLifecycleThreads() >= before + 2); // one parked per node at least
            await().atMost(PATIENCE).until(() -> log.messages().stream().filter(m -> m.startsWith("HL-0416")).count() == 2);

            assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0416")).containsExactly(
                    "HL-0416: ticker: node a stands by: it competes for the lock and takes over when it is free",
                    "HL-0416: ticker: node b stands by: it competes for the lock and takes over when it is free");
            assertThat(standby.elector().isLeader("ticker")).isFalse();
            History history = cluster.history();
            assertThat(history.entries("start")).extracting(History.Entry::node).containsExactly("a");
            assertThat(history.entries("acquired")).extracting(History.Entry::node).containsExactly("a");
            assertThat(log.messages()).noneMatch(m -> m.startsWith("HL-0417"));
        }
    }

    @Test
    void aWarmStandbyTakesOverAndRunsTheSingleton() {
        TestNode leader = start("a");
        await().atMost(PATIENCE).until(() -> leader.elector().isLeader("ticker"));
        TestNode standby = start("b");
        await().atMost(PATIENCE).until(() -> parkedLifecycleThreads() >= 2);

        leader.close();

        await().atMost(PATIENCE).until(() -> standby.elector().isLeader("ticker"));
        assertThat(standby.bean(Ticker.class).node()).isEqualTo("b");
        assertThat(cluster.history().entries("start")).extracting(History.Entry::node).containsExactly("a", "b");
    }

    private TestNode start(String id) {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(3))
                .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofSeconds(1)).build();
        return cluster.start(settings, Ticker.class, LeadershipLog.class);
    }

    private static long parkedLifecycleThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals(LifecyclePool.IDLE_NAME) && thread.isAlive()).count();
    }
}
