package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.OneConnectionPool;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import jakarta.enterprise.context.ContextNotActiveException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several Weld containers in one JVM act as nodes against one real PostgreSQL database. */
class ClusterSingletonTest {

    private static final String TICKER = "ticker";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();
    private final History history = cluster.history();
    private final List<TestNode> nodes = cluster.nodes();

    @Test
    void exactlyOneOfThreeNodesRunsTheSingleton() {
        startNodes("a", "b", "c");

        TestNode leader = awaitLeader();

        assertThat(nodes.stream().filter(node -> node.elector().isLeader(TICKER))).containsExactly(leader);
        assertThat(history.entries("start")).extracting(History.Entry::node).containsExactly(leader.id());
        assertThat(leader.bean(Ticker.class).node()).isEqualTo(leader.id());
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    @Test
    void callOnStandbyThrowsNotLeaderNamingTheLeader() {
        startNodes("a", "b");
        TestNode leader = awaitLeader();
        TestNode standby = other(leader);

        assertThatThrownBy(() -> standby.bean(Ticker.class).node())
                .isInstanceOf(NotLeaderException.class)
                .isInstanceOf(ContextNotActiveException.class)
                .hasMessage("HL-0501: cluster singleton 'ticker' is not active on node " + standby.id()
                        + ": this node does not lead it (leader: " + leader.id() + "). Only the leader has an"
                        + " instance; check LeaderElector.isLeader(\"ticker\") first.");
        assertThat(history.entries("start")).hasSize(1);
    }

    @Test
    void standbyTakesOverWhenLeaderStops() {
        startNodes("a", "b", "c");
        TestNode first = awaitLeader();
        long firstToken = first.elector().checkLeadership(TICKER);

        first.close();
        TestNode second = awaitLeader();

        assertThat(second).isNotSameAs(first);
        assertThat(second.elector().checkLeadership(TICKER)).isGreaterThan(firstToken);
        await().atMost(PATIENCE).until(() -> history.entries("acquired").size() == 2
                && !history.entries("lost:SHUTDOWN").isEmpty());
        assertThat(history.entries()).filteredOn(e -> !e.what().equals("ticker-acquired")).containsSubsequence(
                new History.Entry(first.id(), "start", -1),
                new History.Entry(first.id(), "acquired", firstToken),
                new History.Entry(first.id(), "stop", -1),
                new History.Entry(second.id(), "start", -1),
                new History.Entry(second.id(), "acquired", second.elector().checkLeadership(TICKER)));
        // the old node's LeadershipLost observers run after its instance stopped, and the lock is let go without
        // waiting for them (InstanceLifecycle.stop): the next node may start before or while they run
        assertThat(history.entries()).containsSubsequence(
                new History.Entry(first.id(), "stop", -1),
                new History.Entry(first.id(), "lost:SHUTDOWN", firstToken));
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    @Test
    void observersCanSelectOneSingleton() {
        startNodes("a");
        TestNode leader = awaitLeader();

        await().atMost(PATIENCE).until(() -> history.entries("acquired").size() == 1);
        assertThat(history.entries("ticker-acquired")).extracting(History.Entry::node).containsExactly(leader.id());
        assertThat(history.entries("other-acquired")).isEmpty();
    }

    @Test
    void stepDownHandsOverToAnotherNode() {
        startNodes("a", "b");
        TestNode first = awaitLeader();

        first.elector().stepDown(TICKER, Duration.ofMinutes(1));
        TestNode second = awaitLeader();

        assertThat(second).isNotSameAs(first);
        await().atMost(PATIENCE).until(() -> !history.entries("lost:STEPPED_DOWN").isEmpty());
        assertThat(history.entries("lost:STEPPED_DOWN")).extracting(History.Entry::node).containsExactly(first.id());
        await().atMost(PATIENCE).until(() -> first.elector().status(TICKER).state() == SingletonState.DISABLED);
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    @Test
    void stepDownWithoutHoldOffHandsOverToTheWaitingNode() {
        startNodes("a", "b");
        TestNode leader = awaitLeader();
        TestNode first = leader;

        for (int round = 1; round <= 4; round++) {
            TestNode previous = leader;
            TestNode next = other(previous);
            previous.elector().stepDown(TICKER);
            await().atMost(PATIENCE).until(() -> next.elector().isLeader(TICKER) || previous.elector().isLeader(TICKER));
            assertThat(next.elector().isLeader(TICKER)).as("round %d: %s stepped down, %s waited", round,
                    previous.id(), next.id()).isTrue();
            leader = next;
        }
        String one = first.id();
        String two = other(first).id();
        await().atMost(PATIENCE).until(() -> history.entries("start").size() >= 5);
        assertThat(history.entries("start")).extracting(History.Entry::node).as("the nodes took turns")
                .containsExactly(one, two, one, two, one);
        assertThat(history.maxRunning()).isEqualTo(1);
    }

    @Test
    void reGainCreatesAFreshInstance() {
        startNodes("a");
        TestNode node = awaitLeader();
        int firstInstance = node.bean(Ticker.class).instance();

        node.elector().stepDown(TICKER);

        await().atMost(PATIENCE).until(() -> history.entries("start").size() == 2 && node.elector().isLeader(TICKER));
        assertThat(node.bean(Ticker.class).instance()).isNotEqualTo(firstInstance);
        assertThat(history.entries()).extracting(History.Entry::what).containsSubsequence("start", "stop", "start");
    }

    @Test
    void everyNodeSeesWhoLeads() {
        startNodes("a", "b");
        TestNode leader = awaitLeader();
        // the standby's node session may still be opening when the leader's term begins
        await().atMost(PATIENCE).until(() -> other(leader).elector().status(TICKER).state() == SingletonState.STANDBY);

        for (TestNode node : nodes) {
            assertThat(node.elector().leader(TICKER)).contains(leader.id());
        }
        SingletonStatus standbyStatus = other(leader).elector().status(TICKER);
        assertThat(standbyStatus.state()).isEqualTo(SingletonState.STANDBY);
        assertThat(standbyStatus.leader()).contains(leader.id());
        assertThat(leader.elector().status()).singleElement().satisfies(status -> {
            assertThat(status.state()).isEqualTo(SingletonState.LEADING);
            assertThat(status.toString()).startsWith("ticker: LEADING on " + leader.id() + ", leader " + leader.id());
        });
    }

    @Test
    void terminatedBackendStopsTheLeaderAndAnotherTakesOver() throws SQLException {
        startNodes("a", "b");
        TestNode first = awaitLeader();
        long firstToken = first.elector().checkLeadership(TICKER);

        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            terminateLockSessionOf(first.id());
            await().atMost(PATIENCE).until(() -> !history.entries("lost:CONNECTION_LOST").isEmpty());

            TestNode second = awaitLeader();
            assertThat(history.entries("lost:CONNECTION_LOST")).extracting(History.Entry::node).containsExactly(first.id());
            assertThat(second.elector().checkLeadership(TICKER)).isGreaterThan(firstToken);
            // a lost connection has no stop deadline: the lock is gone already, @PreDestroy is not late
            assertThat(log.messages()).noneMatch(message -> message.startsWith("HL-0404"));
        }
    }

    @Test
    void transactionPoolerStopsTheElectionForGood() throws SQLException {
        OneConnectionPool pooler = OneConnectionPool.over(cluster.dataSource(), 2);
        DataSource behindPooler = (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> method.getName().equals("getConnection")
                        ? pooler.borrow() : method.invoke(cluster.dataSource(), args));
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            HighlanderSettings settings = HighlanderSettings.builder().nodeId("pooled").build();
            TestNode node = cluster.start(settings, behindPooler, Ticker.class, LeadershipLog.class);

            await().atMost(PATIENCE).until(() -> node.elector().status(TICKER).state() == SingletonState.FAILED);
            assertThat(log.messages()).anyMatch(m -> m.matches("HL-032[3-6]: the lock connection of singleton 'ticker'.*"));
            assertThat(history.entries("start")).isEmpty();
        } finally {
            pooler.shutdown();
        }
    }

    @Test
    void aForeignSessionHoldingTheLockIsNamedInStatusAndLoggedOnce() throws SQLException {
        try (Connection foreign = cluster.dataSource().getConnection();
             LogRecorder log = LogRecorder.of("io.highlander")) {
            int pid = takeLockAs(foreign, "nightly-batch");
            TestNode node = cluster.start(HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(3))
                    .heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofMillis(200)).build(),
                    Ticker.class, LeadershipLog.class);
            String holder = "backend pid " + pid + " (application_name 'nightly-batch')";

            await().atMost(PATIENCE).until(() -> node.elector().status(TICKER).toString().contains(holder));
            for (int i = 0; i < 3; i++) {
                assertThat(node.elector().leader(TICKER)).isEmpty();
            }
            assertThat(node.elector().status(TICKER).lockHolder()).contains(holder);
            assertThat(node.elector().status(TICKER).toString()).contains(", lock held by " + holder);
            assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0414")).containsExactly("HL-0414: ticker:"
                    + " the lock is held by " + holder + ", which is not a Highlander node; no node can lead"
                    + " until that session lets it go");
        }
    }

    @Test
    void unknownSingletonNameIsRejected() {
        startNodes("a");

        assertThatThrownBy(() -> nodes.get(0).elector().isLeader("tickr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HL-0408: there is no cluster singleton named 'tickr' in this application; known: [ticker]");
    }

    private void startNodes(String... ids) {
        for (String id : ids) {
            HighlanderSettings settings = HighlanderSettings.builder().nodeId(id)
                    .lease(Duration.ofSeconds(3)).heartbeat(Duration.ofMillis(300))
                    .standbyInterval(Duration.ofSeconds(1)).build();
            cluster.start(settings, Ticker.class, LeadershipLog.class);
        }
    }

    /** Waits until exactly one running node leads (and has started its instance), and returns it. */
    private TestNode awaitLeader() {
        return await().atMost(PATIENCE).until(() -> {
            List<TestNode> leaders = nodes.stream().filter(TestNode::running)
                    .filter(node -> node.elector().isLeader(TICKER)).collect(Collectors.toList());
            return leaders.size() == 1 && history.running() == 1 ? leaders.get(0) : null;
        }, leader -> leader != null);
    }

    private TestNode other(TestNode node) {
        return nodes.stream().filter(n -> n != node && n.running()).findFirst().orElseThrow();
    }

    private static int takeLockAs(Connection connection, String applicationName) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(
                "SELECT set_config('application_name', ?, false), pg_advisory_lock(?, ?), pg_backend_pid()")) {
            io.highlander.cdi.internal.lock.LockKey key =
                    io.highlander.cdi.internal.lock.LockKey.of(HighlanderSettings.DEFAULT_NAMESPACE, TICKER);
            lock.setString(1, applicationName);
            lock.setInt(2, key.namespace());
            lock.setInt(3, key.key());
            try (ResultSet row = lock.executeQuery()) {
                row.next();
                return row.getInt(3);
            }
        }
    }

    private void terminateLockSessionOf(String nodeId) throws SQLException {
        try (Connection connection = cluster.dataSource().getConnection();
             PreparedStatement terminate = connection.prepareStatement(
                     "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
            terminate.setString(1, "highlander:" + nodeId);
            try (ResultSet result = terminate.executeQuery()) {
                assertThat(result.next()).as("a lock session of node %s", nodeId).isTrue();
            }
        }
    }
}
