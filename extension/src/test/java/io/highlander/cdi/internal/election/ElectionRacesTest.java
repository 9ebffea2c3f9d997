package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.SingletonState;
import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.internal.lock.LockHolder;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The election's own races, forced: the lease watchdog ending a term while the lock thread comes back, an
 * interrupt of the lock thread, a hold-off longer than the lease, a stale step-down, a lease that runs out on a
 * connection that still works.
 */
class ElectionRacesTest {

    private static final String RACE = "race";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final RaceScript script = new RaceScript();
    @RegisterExtension
    final TestCluster cluster = new TestCluster().share(RaceScript.class, script);
    private final History history = cluster.history();
    private final LogRecorder log = LogRecorder.of("io.highlander");
    private final CountDownLatch releaseWatchdog = new CountDownLatch(1);

    @AfterEach
    void releaseEverything() {
        releaseWatchdog.countDown();
        script.releaseStop.countDown();
        log.close();
    }

    @Test
    void theNextTermCannotBeginWhileTheWatchdogIsStillEndingTheLastOne() {
        StallingDataSource stalling = new StallingDataSource(cluster.dataSource());
        TestNode node = startNode("a", stalling.dataSource());
        await().atMost(PATIENCE).until(() -> node.elector().isLeader(RACE) && history.running() == 1);
        CountDownLatch watchdogInside = holdTheWatchdogAfterItEndsATerm(node);

        stalling.stall(); // the heartbeat is late: the watchdog ends the term at the deadline
        awaitLatch(watchdogInside);
        stalling.resume(); // the lock thread comes back while the watchdog is still ending the term
        await().atMost(PATIENCE).until(() -> history.entries("acquired").size() == 2
                || (node.elector().status(RACE).state() == SingletonState.STOPPING && holder().isEmpty()));
        releaseWatchdog.countDown();

        await().atMost(PATIENCE).until(() -> node.elector().isLeader(RACE) && history.running() == 1);
        assertThat(node.bean(Racer.class).node()).isEqualTo("a");
        assertThat(history.entries()).extracting(History.Entry::what)
                .containsSubsequence("start", "acquired", "stop", "lost:LEASE_EXPIRED", "start", "acquired");
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    @Test
    void aStepDownOfAnEndingTermDoesNotEndTheNextTerm() {
        StallingDataSource stalling = new StallingDataSource(cluster.dataSource());
        TestNode node = startNode("a", stalling.dataSource());
        await().atMost(PATIENCE).until(() -> node.elector().isLeader(RACE) && history.running() == 1);
        CountDownLatch watchdogInside = holdTheWatchdogAfterItEndsATerm(node);
        stalling.stall();
        awaitLatch(watchdogInside);

        node.elector().stepDown(RACE, Duration.ZERO); // meant for the term that is ending
        stalling.resume();
        releaseWatchdog.countDown();

        await().atMost(PATIENCE).until(() -> history.entries("acquired").size() >= 2 && node.elector().isLeader(RACE));
        await().during(Duration.ofSeconds(1)).atMost(PATIENCE)
                .until(() -> history.entries("lost:STEPPED_DOWN").isEmpty() && node.elector().isLeader(RACE));
    }

    @Test
    void anInterruptOfTheLockThreadClosesTheElectionOnceWithoutSpinning() throws SQLException {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(6))
                .heartbeat(Duration.ofMillis(200)).standbyInterval(Duration.ofMillis(500)).build();
        TestNode node = cluster.start(settings, Racer.class, LeadershipLog.class); // @PreDestroy is held < L
        await().atMost(PATIENCE).until(() -> node.elector().isLeader(RACE) && history.running() == 1);
        Thread lockThread = thread(NodeSession.THREAD_NAME); // the node's lock thread, one for all its elections
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        script.holdStop = true;

        long cpuBefore = threads.getThreadCpuTime(lockThread.getId());
        lockThread.interrupt();

        await().during(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> !lockThread.isAlive()
                || threads.getThreadCpuTime(lockThread.getId()) - cpuBefore < TimeUnit.MILLISECONDS.toNanos(300));
        awaitLatch(script.stopBegan);
        assertThat(holder()).as("the lock is kept while @PreDestroy runs").get()
                .extracting(h -> h.nodeId().orElse("?")).isEqualTo("a");
        script.releaseStop.countDown();
        await().atMost(PATIENCE).until(() -> !lockThread.isAlive());
        assertThat(holder()).isEmpty();
        assertThat(node.elector().status(RACE).state()).isEqualTo(SingletonState.CLOSED);
        assertThat(history.entries()).extracting(History.Entry::what).containsSubsequence("stop", "lost:SHUTDOWN");
        assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0413")).containsExactly(
                "HL-0413: race: the lock thread was interrupted (the container is stopping its threads);"
                        + " this node leaves the election");
    }

    @Test
    void aHoldOffLongerThanTheLeaseDoesNotLetTheServerEndAnIdleLockSession() {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(1))
                .heartbeat(Duration.ofMillis(200)).stopMargin(Duration.ofMillis(100))
                .standbyInterval(Duration.ofMillis(500)).build();
        TestNode node = cluster.start(settings, Racer.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> node.elector().isLeader(RACE) && history.running() == 1);

        node.elector().stepDown(RACE, Duration.ofMillis(2500));

        await().atMost(PATIENCE).until(() -> node.elector().status(RACE).state() == SingletonState.DISABLED);
        await().atMost(PATIENCE).until(() -> history.entries("start").size() == 2 && node.elector().isLeader(RACE));
        assertThat(log.messages()).noneMatch(m -> m.startsWith("HL-0403"));
    }

    @Test
    void aLeaseRunningOutOnAWorkingConnectionKeepsTheLockUntilPreDestroyReturned() {
        StallingDataSource stalling = new StallingDataSource(cluster.dataSource());
        HighlanderSettings.Builder settings = HighlanderSettings.builder().lease(Duration.ofSeconds(2))
                .heartbeat(Duration.ofMillis(200)).stopMargin(Duration.ofMillis(400))
                .standbyInterval(Duration.ofMillis(500));
        TestNode first = cluster.start(settings.nodeId("a").build(), stalling.dataSource(), Racer.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> first.elector().isLeader(RACE) && history.running() == 1);
        TestNode second = cluster.start(settings.nodeId("b").build(), Racer.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> second.elector().status(RACE).state() == SingletonState.STANDBY);
        script.stopMillis = 200; // m/2

        stalling.stall();

        await().atMost(PATIENCE).until(() -> second.elector().isLeader(RACE) && history.running() == 1);
        stalling.resume();
        assertThat(history.entries()).extracting(e -> e.node() + ":" + e.what())
                .containsSubsequence("a:start", "a:stop", "b:start");
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    @Test
    void aServerThatAnswersLateKeepsTheLockUntilPreDestroyReturned() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        String url = postgres.newDatabase();
        URI direct = URI.create(url.substring("jdbc:".length()));
        try (LateAnswersProxy proxy = new LateAnswersProxy(direct.getPort())) {
            String proxied = url.replace(":" + direct.getPort() + "/", ":" + proxy.port() + "/");
            HighlanderSettings.Builder settings = HighlanderSettings.builder().lease(Duration.ofSeconds(2))
                    .heartbeat(Duration.ofMillis(200)).stopMargin(Duration.ofMillis(400))
                    .standbyInterval(Duration.ofMillis(500));
            TestNode first = cluster.start(settings.nodeId("a").build(), postgres.dataSource(proxied),
                    Racer.class, LeadershipLog.class);
            await().atMost(PATIENCE).until(() -> first.elector().isLeader(RACE) && history.running() == 1);
            TestNode second = cluster.start(settings.nodeId("b").build(), postgres.dataSource(url),
                    Racer.class, LeadershipLog.class);
            await().atMost(PATIENCE).until(() -> second.elector().status(RACE).state() == SingletonState.STANDBY);
            script.stopMillis = 200; // m/2

            proxy.holdAnswers(); // the next heartbeat reaches the server, its answer does not come back

            await().atMost(PATIENCE).until(() -> second.elector().isLeader(RACE) && history.running() == 1);
            proxy.deliver();
            assertThat(history.entries()).extracting(e -> e.node() + ":" + e.what())
                    .containsSubsequence("a:start", "a:stop", "b:start");
            assertThat(history.maxRunning()).isEqualTo(1);
        }
    }

    private TestNode startNode(String id, DataSource source) {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(2))
                .heartbeat(Duration.ofMillis(200)).standbyInterval(Duration.ofMillis(500))
                .restartPolicy(3, Duration.ofMinutes(1), Duration.ofMillis(50), Duration.ofSeconds(5)).build();
        return cluster.start(settings, source, Racer.class, LeadershipLog.class);
    }

    /** Makes the watchdog stop, once, right after it ended a term, until {@link #releaseWatchdog}. */
    private CountDownLatch holdTheWatchdogAfterItEndsATerm(TestNode node) {
        CountDownLatch inside = new CountDownLatch(1);
        ((Elections) node.elector()).election(RACE).afterTermEnded = () -> {
            if (Thread.currentThread().getName().equals("highlander-lease-watchdog") && inside.getCount() > 0) {
                inside.countDown();
                awaitLatch(releaseWatchdog);
            }
        };
        return inside;
    }

    private Optional<LockHolder> holder() throws SQLException {
        try (Connection connection = cluster.dataSource().getConnection()) {
            return holderOf(connection, LockKey.of(HighlanderSettings.DEFAULT_NAMESPACE, RACE));
        }
    }

    private static Optional<LockHolder> holderOf(Connection connection, LockKey key) throws SQLException {
        try (java.sql.PreparedStatement query = connection.prepareStatement("SELECT l.pid, a.application_name"
                + " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'"
                + " AND l.granted AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 2")) {
            query.setLong(1, Integer.toUnsignedLong(key.namespace()));
            query.setLong(2, Integer.toUnsignedLong(key.key()));
            try (java.sql.ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(new LockHolder(row.getInt(1), row.getString(2))) : Optional.empty();
            }
        }
    }

    private static Thread thread(String name) {
        List<Thread> found = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name) && t.isAlive()).toList();
        assertThat(found).as("threads named %s", name).hasSize(1);
        return found.get(0);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("latch counted down").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
