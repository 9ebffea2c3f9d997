package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.SlowStop;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.testing.Backends;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The safety findings of issue 20 that show from outside, each reproduced against PostgreSQL: the heartbeat and
 * the standby's safety net are made far slower than the bound each test waits for, so only the rule under test can
 * meet it.
 */
class SafetyFindingsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Far below the heartbeat (20 s) of {@link #slow}: only the socket read can meet it. */
    private static final Duration PROMPTLY = Duration.ofSeconds(6);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();
    private final History history = cluster.history();

    @AfterEach
    void letStopsReturn() {
        SlowStop.openGate();
    }

    /** Finding (a): while one singleton is stopping, the node still reads its socket and sees its session end. */
    @Test
    void aKilledNodeSessionIsNoticedAtOnceWhileAnotherSingletonOfTheNodeIsStopping() throws SQLException {
        SlowStop.closeGate();
        TestNode a = cluster.start(slow("a"), Ticker.class, SlowStop.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker") && a.elector().isLeader("slow-stop"));

        a.elector().stepDown("slow-stop", Duration.ofHours(1));
        await().atMost(PATIENCE).until(() -> !history.entries("stopping slow-stop").isEmpty());
        terminate(nodeSessionOf("a"));

        // the next heartbeat is 20 s away, and slow-stop's @PreDestroy does not return: only the socket read sees it
        await().atMost(PROMPTLY).until(() -> !history.entries("lost:CONNECTION_LOST").isEmpty());
        assertThat(a.elector().isLeader("ticker")).isFalse();
    }

    /** Finding (c): a graceful stop that overran its bound does not let a strict node start at once. */
    @Test
    void aStopThatOverranItsBoundIsNotACleanEndForAStrictNode() {
        SlowStop.closeGate();
        HighlanderSettings.Builder settings = HighlanderSettings.builder().lease(Duration.ofSeconds(2))
                .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofHours(1))
                .takeover(HighlanderSettings.Takeover.STRICT);
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            TestNode a = cluster.start(settings.nodeId("a").build(), SlowStop.class);
            await().atMost(PATIENCE).until(() -> a.elector().isLeader("slow-stop"));
            TestNode b = cluster.start(settings.nodeId("b").build(), SlowStop.class);
            await().atMost(PATIENCE).until(() -> b.elector().status("slow-stop").state() == SingletonState.STANDBY);
            // hand over and back cleanly, so that b has seen a's current term begin and would trust its end
            SlowStop.openGate();
            a.elector().stepDown("slow-stop", Duration.ofMillis(100));
            await().atMost(PATIENCE).until(() -> b.elector().isLeader("slow-stop"));
            b.elector().stepDown("slow-stop", Duration.ofMillis(300));
            await().atMost(PATIENCE).until(() -> a.elector().isLeader("slow-stop")
                    && b.elector().status("slow-stop").state() == SingletonState.STANDBY);
            long waitedBefore = log.messages().stream().filter(m -> m.startsWith("HL-0431: slow-stop: node b")).count();
            SlowStop.closeGate();

            a.elector().stepDown("slow-stop", Duration.ofHours(1)); // its @PreDestroy outlives L: the lock goes anyway
            await().atMost(PATIENCE).until(() -> b.elector().status("slow-stop").state() == SingletonState.LEADING);

            assertThat(log.messages().stream().filter(m -> m.startsWith("HL-0431: slow-stop: node b")).count())
                    .as("b waited out a's lease: a's instance may still be stopping").isEqualTo(waitedBefore + 1);
        }
    }

    /** Finding (b): notices nobody can vouch for do not let a strict node start at once after a killed session. */
    @Test
    void forgedNoticesDoNotMakeAKilledSessionsTermLookCleanToAStrictNode() throws SQLException {
        HighlanderSettings.Builder settings = HighlanderSettings.builder().lease(Duration.ofSeconds(2))
                .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofHours(1))
                .takeover(HighlanderSettings.Takeover.STRICT);
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            TestNode a = cluster.start(settings.nodeId("a").build(), Ticker.class, LeadershipLog.class);
            await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
            TestNode b = cluster.start(settings.nodeId("b").build(), Ticker.class, LeadershipLog.class);
            await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY);
            long token = a.elector().status("ticker").fencingToken().orElseThrow();
            int key = LockKey.of(HighlanderSettings.DEFAULT_NAMESPACE, "ticker").key();
            String ns = Integer.toUnsignedString(HighlanderSettings.DEFAULT_NAMESPACE);
            String k = Integer.toUnsignedString(key);
            // from a session that holds no node's liveness lock, in both notice formats this library ever used
            forge("acquired " + key + " " + token, "released " + key + " " + token,
                    "hl1 " + ns + " acquired " + k + " " + token, "hl1 " + ns + " released " + k + " " + token);

            terminate(nodeSessionOf("a")); // no release: a's instance may run until its lease is out

            await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.LEADING);
            assertThat(log.messages()).as("b waited out a's lease").anyMatch(m -> m.startsWith("HL-0431: ticker: node b"));
        }
    }

    // ---- helpers ----

    /** A node that heartbeats rarely and whose standbys try only once an hour without a notice. */
    private static HighlanderSettings slow(String id) {
        return HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(60)).heartbeat(Duration.ofSeconds(20))
                .standbyInterval(Duration.ofHours(1)).build();
    }

    private void forge(String... payloads) throws SQLException {
        try (Connection connection = cluster.dataSource().getConnection();
             PreparedStatement notify = connection.prepareStatement("SELECT pg_notify('highlander', ?)")) {
            for (String payload : payloads) {
                notify.setString(1, payload);
                notify.executeQuery().close();
            }
        }
    }

    private int nodeSessionOf(String nodeId) throws SQLException {
        return Backends.nodeSessionOf(cluster.dataSource(), nodeId);
    }

    private void terminate(int pid) throws SQLException {
        Backends.terminate(cluster.dataSource(), pid);
    }
}
