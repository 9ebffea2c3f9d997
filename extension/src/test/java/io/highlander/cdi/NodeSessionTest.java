package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.fleet.Fleet;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node session, seen from outside: how many connections a node takes, how fast it learns that PostgreSQL
 * ended its session, how a standby learns that a lock is free without waiting on it, and the races of the
 * design in {@code io.highlander.cdi.internal.election}'s package documentation.
 *
 * <p>Most tests make the heartbeat and the standby's safety-net try far slower than the bound they wait for, so
 * that only the mechanism under test (a socket wait, a notice, a watcher) can meet it.
 */
class NodeSessionTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Far below the heartbeat (20 s) and the safety net (1 h) of {@link #slow}: only a notice can meet it. */
    private static final Duration PROMPTLY = Duration.ofSeconds(6);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();
    private final History history = cluster.history();

    @Test
    void aNodeHoldsAtMostTwoConnectionsWhateverTheNumberOfSingletons() throws SQLException {
        TestNode a = start(quick("a"), Fleet.ALL);
        TestNode b = start(quick("b"), Fleet.ALL);
        await().atMost(PATIENCE).until(() -> Fleet.names().stream()
                .allMatch(name -> a.elector().isLeader(name) != b.elector().isLeader(name)));

        Map<String, Integer> connections = connectionsPerNode();
        assertThat(connections).as("backends per node with 10 singletons").containsOnlyKeys("a", "b");
        assertThat(connections.values()).allSatisfy(count -> assertThat(count).isBetween(1, 2));
        assertThat(singletonLocksHeldBy("highlander:a") + singletonLocksHeldBy("highlander:b")).isEqualTo(10);
    }

    @Test
    void aTerminatedNodeSessionStopsTheLeaderLongBeforeItsNextHeartbeat() throws SQLException {
        TestNode a = start(slow("a"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker") && history.running() == 1);

        terminate(holderOf("ticker"));

        // the next heartbeat is 20 s away: only the socket wait sees the session end this early
        await().atMost(PROMPTLY).until(() -> !history.entries("lost:CONNECTION_LOST").isEmpty());
        assertThat(history.entries()).extracting(History.Entry::what).containsSubsequence("start", "stop");
    }

    @Test
    void aStepDownHandsOverByNoticeWithoutWaitingForAHeartbeatOrATry() {
        TestNode a = start(slow("a"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = start(slow("b"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY);

        List<Long> millis = new ArrayList<>();
        TestNode from = a;
        TestNode to = b;
        for (int round = 0; round < 10; round++) {
            TestNode leader = from;
            TestNode next = to;
            await().atMost(PATIENCE).until(() -> leader.elector().isLeader("ticker")
                    && next.elector().status("ticker").state() == SingletonState.STANDBY);
            java.time.Instant asked = java.time.Instant.now();
            leader.elector().stepDown("ticker", Duration.ofMillis(200));

            await().atMost(PROMPTLY).until(() -> next.elector().isLeader("ticker"));
            millis.add(Duration.between(asked, next.elector().status("ticker").since()).toMillis());
            from = next;
            to = leader;
        }
        // what it measures: the wake of the leader's lock thread (a notice from its watcher), @PreDestroy, the
        // unlock with its notice, the standby's try; printed, not asserted (no timing assertions in unit tests)
        System.out.println("NodeSessionTest: step-down to the next term, ms: " + millis.stream().sorted().toList());
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    @Test
    void aNodeWhoseSessionEndedLeavesTheLocksItHeldToTheOthersForAMoment() throws SQLException {
        // it learns of the end within milliseconds and could take its locks straight back before a standby's
        // watcher told the standby (an app-server test saw that race: a standby never got its turn in 60 s)
        TestNode a = start(slow("a"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker") && history.running() == 1);

        terminate(holderOf("ticker"));

        await().atMost(PROMPTLY).until(() -> !history.entries("lost:CONNECTION_LOST").isEmpty());
        await().during(Duration.ofMillis(300)).atMost(PROMPTLY)
                .until(() -> history.entries("acquired").size() == 1); // not straight back
        await().atMost(PATIENCE).until(() -> history.entries("acquired").size() == 2); // alone, it leads again
    }

    @Test
    void aLeaderWhoseSessionEndsIsReplacedThroughTheWatcher() throws SQLException {
        TestNode a = start(slow("a"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = start(slow("b"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY
                && watchersWaiting() == 2); // each node's watcher on the other's liveness lock

        terminate(holderOf("ticker")); // no release notice: only b's watcher, waiting on a's liveness lock, can tell

        await().atMost(PROMPTLY).until(() -> b.elector().isLeader("ticker"));
    }

    @Test
    void aNoticeLostWhileReconnectingIsMadeUpByTheFirstTryAfterwards() throws SQLException {
        Semaphore gate = new Semaphore(Integer.MAX_VALUE);
        TestNode a = start(slow("a"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = cluster.start(slow("b"), gated(cluster.dataSource(), gate), Ticker.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY);

        gate.drainPermits(); // b cannot connect again ...
        terminate(nodeSessionOf("b")); // ... after losing its node session
        a.elector().stepDown("ticker", Duration.ofHours(1)); // so b misses the release notice
        await().atMost(PATIENCE).until(() -> a.elector().status("ticker").state() == SingletonState.DISABLED);
        gate.release(Integer.MAX_VALUE);

        await().atMost(PROMPTLY).until(() -> b.elector().isLeader("ticker"));
    }

    @Test
    void severalNodesWakingAtOnceLeadEachSingletonOnce() {
        TestNode first = start(quick("a"), Fleet.ALL);
        await().atMost(PATIENCE).until(() -> Fleet.names().stream().allMatch(first.elector()::isLeader));
        List<TestNode> others = new ArrayList<>();
        for (String id : List.of("b", "c", "d")) {
            others.add(start(quick(id), Fleet.ALL));
        }
        await().atMost(PATIENCE).until(() -> others.stream().allMatch(node -> Fleet.names().stream()
                .allMatch(name -> node.elector().status(name).state() == SingletonState.STANDBY)));

        first.close(); // ten release notices reach three nodes at once

        await().atMost(PATIENCE).until(() -> Fleet.names().stream()
                .allMatch(name -> others.stream().filter(node -> node.elector().isLeader(name)).count() == 1));
        assertNeverTwoAtOnce();
    }

    @Test
    void twoNodesEachHoldingALockTheOtherWantsNeitherWaitNorDeadlock() throws SQLException {
        TestNode a = start(quick("a"), Fleet.ALL);
        await().atMost(PATIENCE).until(() -> Fleet.names().stream().allMatch(a.elector()::isLeader));
        TestNode b = start(quick("b"), Fleet.ALL);
        await().atMost(PATIENCE).until(() -> b.elector().status("fleet-0").state() == SingletonState.STANDBY);
        List<String> handed = Fleet.names().subList(0, 5);
        handed.forEach(name -> a.elector().stepDown(name, Duration.ofMillis(500)));
        await().atMost(PATIENCE).until(() -> handed.stream().allMatch(b.elector()::isLeader)
                && handed.stream().allMatch(name -> a.elector().status(name).state() == SingletonState.STANDBY));

        // each node now holds five locks the other wants; neither waits on them, so both still hand over at once
        assertThat(waitsOnSingletonLocks()).as("sessions waiting on a singleton's lock").isZero();
        b.elector().stepDown("fleet-0", Duration.ofHours(1));
        a.elector().stepDown("fleet-9", Duration.ofHours(1));
        await().atMost(PROMPTLY).until(() -> a.elector().isLeader("fleet-0") && b.elector().isLeader("fleet-9"));
        assertNeverTwoAtOnce();
    }

    @Test
    void aRestartedNodeWithTheSameIdTakesANewLivenessLockAndIsWatchedAgain() throws SQLException {
        TestNode a = start(slow("a"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = start(slow("b"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY);
        List<Long> before = livenessKeys();

        a.close();
        await().atMost(PROMPTLY).until(() -> b.elector().isLeader("ticker"));
        TestNode again = start(slow("a"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> again.elector().status("ticker").state() == SingletonState.STANDBY);
        List<Long> after = livenessKeys();
        assertThat(after).hasSize(2);
        assertThat(after.stream().filter(before::contains)).as("b's liveness lock stays, a's is a new one")
                .hasSize(1);

        terminate(nodeSessionOf("b")); // the restarted a must be watching b

        await().atMost(PROMPTLY).until(() -> again.elector().isLeader("ticker"));
    }

    @Test
    void aConnectionThatCannotBeUnwrappedFallsBackToHeartbeatsAndSaysSoOnce() {
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            HighlanderSettings settings = HighlanderSettings.builder().nodeId("plain").lease(Duration.ofSeconds(3))
                    .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofSeconds(1)).build();
            TestNode node = cluster.start(settings, opaque(cluster.dataSource()), Ticker.class, LeadershipLog.class);

            await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker"));
            assertThat(node.elector().status("ticker").heartbeatOnly()).isTrue();
            assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0430")).containsExactly("HL-0430: node plain:"
                    + " the connections of the DataSource @HighlanderDataSource bean io.highlander.cdi.testing.TestNode"
                    + " cannot be unwrapped to pgjdbc's PGConnection, so the lock connection cannot wait for notices in"
                    + " a socket read: this node sees PostgreSQL end its session (pg_terminate_backend, a restart) only"
                    + " at its next heartbeat (every PT0.3S) and a lock another node released only at its next try"
                    + " (every PT1S). Use a pool whose connections unwrap to the driver's (HikariCP, Agroal, IronJacamar"
                    + " and Open Liberty do).");
        }
    }

    @Test
    void withoutSocketWaitsAStandbyStillTakesOverAtOnceEachTimeTheLeadersSessionIsEnded() throws SQLException {
        // like an application server whose pool does not unwrap: both nodes heartbeat-only, standbys never try
        // on their own (1 h), so only the watcher's 'gone' can hand the singleton over within PROMPTLY
        HighlanderSettings.Builder settings = HighlanderSettings.builder().lease(Duration.ofSeconds(3))
                .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofHours(1));
        TestNode a = cluster.start(settings.nodeId("a").build(), opaque(cluster.dataSource()), Ticker.class,
                LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = cluster.start(settings.nodeId("b").build(), opaque(cluster.dataSource()), Ticker.class,
                LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY);
        assertThat(b.elector().status("ticker").heartbeatOnly()).isTrue();

        for (int kill = 1; kill <= 6; kill++) {
            TestNode leader = a.elector().isLeader("ticker") ? a : b;
            TestNode standby = leader == a ? b : a;
            long previous = leader.elector().status("ticker").fencingToken().orElseThrow();
            await().atMost(PATIENCE).until(() -> watchersWaiting() == 2); // the killed node's is back at its wait
            terminate(holderOf("ticker"));
            int round = kill;
            await("kill " + round + ": " + standby.id() + " leads with a new term").atMost(PROMPTLY)
                    .until(() -> standby.elector().isLeader("ticker")
                            && standby.elector().status("ticker").fencingToken().orElseThrow() > previous);
            await("kill " + round + ": " + leader.id() + " stands by again").atMost(PATIENCE)
                    .until(() -> leader.elector().status("ticker").state() == SingletonState.STANDBY);
        }
    }

    @Test
    void aHandleThatShowsTheDriverOnlyThroughItsMetaDataStillWaitsInASocketRead() throws SQLException {
        // IronJacamar (WildFly): unwrap cannot be asked for pgjdbc's interface, since neither its module nor the
        // application sees the driver's classes, but getMetaData() is the driver's own
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("jca").lease(Duration.ofSeconds(60))
                .heartbeat(Duration.ofSeconds(20)).standbyInterval(Duration.ofHours(1)).build();
        TestNode node = cluster.start(settings, opaque(cluster.dataSource(), true), Ticker.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker") && history.running() == 1);
        assertThat(node.elector().status("ticker").heartbeatOnly()).isFalse();

        terminate(holderOf("ticker"));

        // the next heartbeat is 20 s away: only the socket wait sees the session end this early
        await().atMost(PROMPTLY).until(() -> !history.entries("lost:CONNECTION_LOST").isEmpty());
    }

    @Test
    void aHandleThatUnwrapsOnlyToTheDriversOwnInterfaceStillWaitsInASocketRead() throws Exception {
        // Open Liberty: the driver lives in a library of its own, which neither the pool's handles nor the
        // application see; unwrap answers for pgjdbc's interface only as loaded by the driver's class loader
        try (URLClassLoader driverLoader = new URLClassLoader(new URL[] {
                org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation()},
                ClassLoader.getPlatformClassLoader())) {
            DataSource driver = separateDriver(driverLoader, (org.postgresql.ds.PGSimpleDataSource) cluster.dataSource());
            HighlanderSettings settings = HighlanderSettings.builder().nodeId("library").lease(Duration.ofSeconds(60))
                    .heartbeat(Duration.ofSeconds(20)).standbyInterval(Duration.ofHours(1)).build();
            TestNode node = cluster.start(settings, unwrappingOnlyToTheDriversInterface(driver), Ticker.class,
                    LeadershipLog.class);
            await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker") && history.running() == 1);
            assertThat(node.elector().status("ticker").heartbeatOnly()).isFalse();

            terminate(holderOf("ticker"));

            await().atMost(PROMPTLY).until(() -> !history.entries("lost:CONNECTION_LOST").isEmpty());
            node.close();
        }
    }

    @Test
    void aHikariConnectionUnwrapsToTheDriverSoTheNodeWaitsInASocketRead() {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSource(cluster.dataSource());
        config.setMaximumPoolSize(3);
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config)) {
            TestNode node = cluster.start(quick("pooled"), pool, Ticker.class, LeadershipLog.class);
            await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker"));
            assertThat(node.elector().status("ticker").heartbeatOnly()).isFalse();
            node.close();
        }
    }

    @Test
    void throughHikariEveryNodeKeepsAtMostTwoBackendsAcrossALeaderCrashAndRestart() throws Exception {
        List<com.zaxxer.hikari.HikariDataSource> pools = new ArrayList<>();
        try {
            List<TestNode> nodes = new ArrayList<>();
            for (String id : List.of("a", "b", "c")) {
                nodes.add(cluster.start(quick(id), hikari(pools, id), Ticker.class, LeadershipLog.class));
            }
            await().atMost(PATIENCE).until(() -> nodes.stream().filter(n -> n.elector().isLeader("ticker")).count() == 1);
            TestNode leader = nodes.stream().filter(n -> n.elector().isLeader("ticker")).findFirst().orElseThrow();
            terminate(holderOf("ticker"));
            await().atMost(PATIENCE).until(() -> nodes.stream().filter(n -> n.elector().isLeader("ticker")).count() == 1
                    && history.entries("acquired").size() >= 2);
            leader.close();
            nodes.remove(leader);
            nodes.add(cluster.start(quick(leader.id()), hikari(pools, leader.id() + "2"), Ticker.class,
                    LeadershipLog.class));
            await().atMost(PATIENCE).until(() -> nodes.stream().allMatch(n -> n.elector().status("ticker").state()
                    == SingletonState.LEADING || n.elector().status("ticker").state() == SingletonState.STANDBY));
            await().atMost(PATIENCE).until(() -> connectionsPerNode().values().stream().allMatch(count -> count <= 2));
        } finally {
            cluster.nodes().forEach(TestNode::close);
            pools.forEach(com.zaxxer.hikari.HikariDataSource::close);
        }
    }

    private DataSource hikari(List<com.zaxxer.hikari.HikariDataSource> pools, String name) {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSource(cluster.dataSource());
        config.setMaximumPoolSize(4);
        config.setPoolName("pool-" + name);
        com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
        pools.add(pool);
        return pool;
    }

    @Test
    void strictTakeoverStartsAtOnceAfterACleanReleaseHeardWhileListeningEvenOfATermItDidNotSeeBegin() {
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            HighlanderSettings.Builder settings = HighlanderSettings.builder().lease(Duration.ofSeconds(3))
                    .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofHours(1))
                    .takeover(HighlanderSettings.Takeover.STRICT);
            TestNode a = cluster.start(settings.nodeId("a").build(), Ticker.class, LeadershipLog.class);
            await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
            TestNode b = cluster.start(settings.nodeId("b").build(), Ticker.class, LeadershipLog.class);
            await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY);

            // b did not see a's term begin, but hears its clean release on a session that listened since: rule S2
            a.elector().stepDown("ticker", Duration.ofMillis(200));
            await().atMost(PATIENCE).until(() -> b.elector().isLeader("ticker")
                    && a.elector().status("ticker").state() == SingletonState.STANDBY);
            // a saw b's term begin; b releases cleanly: a starts at once
            b.elector().stepDown("ticker", Duration.ofHours(1));
            await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));

            assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0431")).extracting(m -> m.split(" ")[3])
                    .as("nodes that waited out a lease: only a's first term (it heard no end of any term before)")
                    .containsExactly("a");
            assertThat(history.maxRunning()).isEqualTo(1);
        }
    }

    @Test
    void strictTakeoverWaitsOutThePreviousLeaseAfterAKilledSession() throws SQLException {
        HighlanderSettings.Builder settings = HighlanderSettings.builder().lease(Duration.ofSeconds(3))
                .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofHours(1))
                .takeover(HighlanderSettings.Takeover.STRICT);
        TestNode a = cluster.start(settings.nodeId("a").build(), Ticker.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = cluster.start(settings.nodeId("b").build(), Ticker.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY);

        terminate(holderOf("ticker")); // no release notice: a's instance may run until its lease is out

        await().atMost(PROMPTLY).until(() -> singletonLocksHeldBy("highlander:b") == 1);
        // b holds the lock but does not start until L + m from the grant, whatever a did in between
        await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> !b.elector().isLeader("ticker")
                && history.entries("start").stream().noneMatch(e -> e.node().equals("b")));
        await().atMost(PATIENCE).until(() -> b.elector().isLeader("ticker"));
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    @Test
    void aStandbyAsksWhoLeadsOnItsNodeSessionWithoutOpeningAThirdConnection() {
        TestNode a = start(slow("a"), List.of(Ticker.class, LeadershipLog.class));
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        DataSource source = cluster.dataSource();
        DataSource counting = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        opened.incrementAndGet();
                    }
                    return method.invoke(source, args);
                });
        TestNode b = cluster.start(slow("b"), counting, Ticker.class, LeadershipLog.class);
        await().atMost(PATIENCE).until(() -> b.elector().status("ticker").state() == SingletonState.STANDBY);
        await().atMost(PATIENCE).until(() -> connectionsPerNode().getOrDefault("b", 0) == 2);
        int before = opened.get();

        assertThat(b.elector().leader("ticker")).contains("a");
        assertThat(opened.get()).as("connections taken from b's DataSource for leader()").isEqualTo(before);
    }

    @Test
    void anOutageOfTheDatabaseIsLoggedOncePerNodeNotOncePerSingleton() throws SQLException {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        DataSource source = cluster.dataSource();
        DataSource failing = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && down.get()) {
                        refused.incrementAndGet();
                        throw new SQLException("the database is down for this test", "08001");
                    }
                    return invoke(source, method, args);
                });
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            TestNode a = cluster.start(quick("a"), failing, Fleet.ALL.toArray(Class<?>[]::new));
            await().atMost(PATIENCE).until(() -> Fleet.names().stream().allMatch(n -> a.elector().isLeader(n)));

            down.set(true);
            terminate(nodeSessionOf("a"));
            await().atMost(PATIENCE).until(() -> refused.get() >= 4); // the node session tried to reconnect, again

            // the session's end, then the refused reconnects: one line per distinct problem of the node, not ten
            assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0403")).as("lines for the node's outage")
                    .doesNotHaveDuplicates().hasSizeBetween(1, 2)
                    .allMatch(m -> m.startsWith("HL-0403: node a: lock connection failed ("));
            down.set(false);
        }
    }

    // ---- helpers ----

    private TestNode start(HighlanderSettings settings, List<Class<?>> classes) {
        return cluster.start(settings, classes.toArray(Class<?>[]::new));
    }

    /** A node that heartbeats rarely and whose standbys try only once an hour without a notice. */
    private static HighlanderSettings slow(String id) {
        return HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(60)).heartbeat(Duration.ofSeconds(20))
                .standbyInterval(Duration.ofHours(1)).build();
    }

    private static HighlanderSettings quick(String id) {
        return HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(5)).heartbeat(Duration.ofMillis(500))
                .standbyInterval(Duration.ofSeconds(2)).build();
    }

    /** For every singleton, its instances' starts and stops alternate: never two at once. */
    private void assertNeverTwoAtOnce() {
        assertThat(history.twoInstancesOfOneSingleton()).as("a singleton with two instances at once").isEmpty();
    }

    private Map<String, Integer> connectionsPerNode() throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection connection = cluster.dataSource().getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT substr(application_name, 12), count(*)"
                     + " FROM pg_stat_activity WHERE datname = current_database()"
                     + " AND application_name LIKE 'highlander:%' GROUP BY 1");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
        }
        return counts;
    }

    private int singletonLocksHeldBy(String applicationName) throws SQLException {
        return count("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND a.application_name = ?",
                applicationName);
    }

    private int waitsOnSingletonLocks() throws SQLException {
        return count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2"
                + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ? IS NOT NULL",
                "");
    }

    /** @return how many watchers wait on a liveness lock now (shared mode, not granted) */
    private int watchersWaiting() throws SQLException {
        return count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1"
                + " AND mode = 'ShareLock' AND database = (SELECT oid FROM pg_database WHERE datname ="
                + " current_database()) AND ? IS NOT NULL", "");
    }

    private List<Long> livenessKeys() throws SQLException {
        List<Long> keys = new ArrayList<>();
        try (Connection connection = cluster.dataSource().getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT objid::bigint FROM pg_locks"
                     + " WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND mode = 'ExclusiveLock'"
                     + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 1");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                keys.add(rows.getLong(1));
            }
        }
        return keys;
    }

    /** @return the backend that holds a singleton's lock */
    private int holderOf(String singleton) throws SQLException {
        io.highlander.cdi.internal.lock.LockKey key =
                io.highlander.cdi.internal.lock.LockKey.of(HighlanderSettings.DEFAULT_NAMESPACE, singleton);
        return count("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
                + " AND objid::bigint = " + Integer.toUnsignedLong(key.key()) + " AND ? IS NOT NULL", singleton);
    }

    private int nodeSessionOf(String nodeId) throws SQLException {
        return io.highlander.cdi.testing.Backends.nodeSessionOf(cluster.dataSource(), nodeId);
    }

    private void terminate(int pid) throws SQLException {
        io.highlander.cdi.testing.Backends.terminate(cluster.dataSource(), pid);
    }

    private int count(String sql, String parameter) throws SQLException {
        try (Connection connection = cluster.dataSource().getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, parameter);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).as("a row for %s", parameter).isTrue();
                return row.getInt(1);
            }
        }
    }

    /** A DataSource whose getConnection waits for a permit of {@code gate}. */
    private static DataSource gated(DataSource target, Semaphore gate) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        gate.acquire();
                        gate.release();
                    }
                    return method.invoke(target, args);
                });
    }

    /** A DataSource whose connections are opaque handles: no unwrap to the driver, like some pools' proxies. */
    private static DataSource opaque(DataSource target) {
        return opaque(target, false);
    }

    /**
     * @param driversMetaData whether {@code getMetaData()} answers with the driver's own metadata (IronJacamar); if
     *         not, with a handle that does not know the driver's connection either
     */
    private static DataSource opaque(DataSource target, boolean driversMetaData) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = method.invoke(target, args);
                    if (!(result instanceof Connection real)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (handle, call, callArgs) -> switch (call.getName()) {
                                case "unwrap" -> throw new SQLException("not a wrapper");
                                case "isWrapperFor" -> false;
                                case "getMetaData" -> driversMetaData ? real.getMetaData() : opaqueMetaData(real, handle);
                                default -> invoke(real, call, callArgs);
                            });
                });
    }

    /** The driver's metadata behind a handle of the pool's own, which knows only the pool's handle. */
    private static java.sql.DatabaseMetaData opaqueMetaData(Connection real, Object handle) throws SQLException {
        java.sql.DatabaseMetaData driver = real.getMetaData();
        return (java.sql.DatabaseMetaData) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {java.sql.DatabaseMetaData.class}, (metaData, call, callArgs) ->
                        call.getName().equals("getConnection") ? handle : invoke(driver, call, callArgs));
    }

    /** The same database through a copy of pgjdbc loaded by {@code loader}: other classes than the test's. */
    private static DataSource separateDriver(ClassLoader loader, org.postgresql.ds.PGSimpleDataSource like)
            throws ReflectiveOperationException {
        Object dataSource = loader.loadClass("org.postgresql.ds.PGSimpleDataSource").getConstructor().newInstance();
        dataSource.getClass().getMethod("setUrl", String.class).invoke(dataSource, like.getUrl());
        dataSource.getClass().getMethod("setUser", String.class).invoke(dataSource, like.getUser());
        if (like.getPassword() != null) {
            dataSource.getClass().getMethod("setPassword", String.class).invoke(dataSource, like.getPassword());
        }
        return (DataSource) dataSource;
    }

    /**
     * A pool's handles like Open Liberty's: {@code unwrap(Connection)} is the handle itself, its metadata knows only
     * the handle, and it unwraps to whatever interface the driver's connection implements, which the caller must
     * load from the driver's class loader. Defined in the platform loader, which does not see the driver.
     */
    private static DataSource unwrappingOnlyToTheDriversInterface(DataSource target) {
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        return (DataSource) Proxy.newProxyInstance(platform, new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (!(result instanceof Connection real)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(platform, new Class<?>[] {Connection.class},
                            (handle, call, callArgs) -> switch (call.getName()) {
                                case "unwrap" -> {
                                    Class<?> wanted = (Class<?>) callArgs[0];
                                    if (wanted.isInstance(handle)) {
                                        yield handle;
                                    }
                                    if (wanted.isInstance(real)) {
                                        yield real;
                                    }
                                    throw new SQLException("not a wrapper for " + wanted);
                                }
                                case "isWrapperFor" -> ((Class<?>) callArgs[0]).isInstance(real);
                                case "getMetaData" -> opaqueMetaData(real, handle);
                                default -> invoke(real, call, callArgs);
                            });
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
