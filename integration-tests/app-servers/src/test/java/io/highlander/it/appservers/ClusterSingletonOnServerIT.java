package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The example WAR on two instances of one application server, against one PostgreSQL database, observed
 * only through each node's {@code /status}: one leader, hand-over on a graceful stop and on a crash, rising
 * fencing tokens, and a singleton that found {@code java:comp} on its server-managed thread. On the way, the
 * server's own pool (IronJacamar on WildFly, Liberty's, Payara's) is checked through the example's
 * {@code /pool-check} after a step-down and after the leader's lock session was ended many times: it must
 * still lend every connection but the lock session's, none of them holding an advisory lock, a network
 * timeout or a session setting of the lock session. Then the deployments that must fail, each on an instance
 * of its own. The tests of a class run in order and share the two nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ClusterSingletonOnServerIT {

    /**
     * From SIGTERM to the other node's leadership. The hand-over itself takes milliseconds (unlock, then a
     * waiter wakes); the rest is the server's own shutdown up to stopping the application. Generous, for a
     * shared 2-core machine.
     */
    static final Duration GRACEFUL_BOUND = Duration.ofSeconds(10);
    /**
     * From SIGKILL to the other node's leadership: the kernel closes the socket and PostgreSQL releases the
     * lock at once; the bound is the lease, which covers a leader whose socket stays open, plus slack.
     */
    static final Duration CRASH_BOUND = Duration.ofSeconds(3 + 7);
    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(60);
    private static final String STATUS = "/highlander-example/status";
    /** The maximum size of the example's pool on every server ({@code examples/jakarta-war/server-config}). */
    static final int POOL_SIZE = 5;
    /** What a node's pool can lend besides its node session and its watcher (at most two, whatever the singletons). */
    static final int LENDABLE = POOL_SIZE - 2;
    /**
     * How often the leader's lock session is ended from outside. Leadership alternates, so each node's lock
     * session is aborted about half as often: still more often than its pool has connections, so a pool slot
     * leaked per abort would leave the node with none.
     */
    static final int SESSION_KILLS = 3 * POOL_SIZE;
    /**
     * The holder of the singleton's advisory lock in the nodes' database: the leader's node session. A singleton's
     * lock has two int keys ({@code objsubid = 2}); every node's liveness lock has one bigint key (1).
     */
    private static final String LOCK_HOLDER_SQL = "SELECT l.pid, a.application_name FROM pg_locks l"
            + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    /** How many singleton locks a backend holds. */
    private static final String SINGLETON_LOCKS_SQL = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            + " AND granted AND objsubid = 2 AND pid = ?";
    private static final String TERMINATE_SQL = "SELECT pg_terminate_backend(?)";
    /** Long enough to check, on a busy machine, the pool of a node that stepped down before it competes again. */
    private static final Duration STEP_DOWN_HOLD_OFF = Duration.ofSeconds(5);

    @RegisterExtension
    final Outcomes outcomes = new Outcomes();

    AppServer server;
    private Database database;
    private final List<ServerInstance> instances = new ArrayList<>();
    private ServerInstance first;
    private ServerInstance second;
    private final List<Long> tokens = new ArrayList<>();
    private final List<String> startUps = new ArrayList<>();
    private Duration gracefulFailover;
    private Duration crashFailover;
    private long testsStarted;

    /** @return the server under test */
    abstract AppServer createServer() throws IOException;

    /** @return the prefix of this server's node ids */
    abstract String prefix();

    @BeforeAll
    void startTwoNodes() throws Exception {
        testsStarted = System.nanoTime();
        server = createServer();
        database = Database.fresh();
        first = instance("a", server.jndiName(), true);
        second = instance("b", server.jndiName(), true);
        // one after the other: on 2 shared cores, booting both at once takes as long and measures worse
        start(first);
        start(second);
    }

    @AfterAll
    void stopEverything() throws IOException {
        instances.forEach(ServerInstance::close);
        report();
    }

    @Test
    @Order(1)
    void exactlyOneNodeLeads() throws Exception {
        List<NodeStatus> statuses = awaitOneLeader(List.of(first, second));
        NodeStatus standby = statuses.stream().filter(s -> !s.leading()).findFirst().orElseThrow();
        NodeStatus leader = started(statuses.stream().filter(NodeStatus::leading).findFirst().orElseThrow());
        assertThat(standby.state()).as("the other node: %s", standby).isEqualTo("STANDBY");
        assertThat(leader.fencingToken()).as("leader: %s", leader).isNotNull().isPositive();
        assertThat(leader.lookupOk())
                .as("the singleton's @PostConstruct looked up java:comp on its server-managed thread: %s", leader)
                .isTrue();
        assertThat(leader.applicationClassLoader())
                .as("@PostConstruct ran with the application's class loader: %s", leader).isTrue();
        assertThat(standby.lookupOk()).as("the singleton never started on the standby: %s", standby).isNull();
        assertThat(List.of(leader, standby)).as("nodes whose lock connection waits for PostgreSQL in a socket read,"
                + " the server's pooled connections unwrapped to pgjdbc (else: heartbeats alone, HL-0430)")
                .noneMatch(NodeStatus::heartbeatOnly);
        NodeStatus ticking = await(instanceOf(leader), s -> s.ticks() > 0, Duration.ofSeconds(15), "the singleton ticks");
        assertThat(ticking.leading()).isTrue();
        NodeStatus seen = await(instanceOf(standby), s -> leader.nodeId().equals(s.leader()), Duration.ofSeconds(30),
                "the standby names the leader");
        assertThat(seen.state()).isEqualTo("STANDBY");
        tokens.add(leader.fencingToken());
    }

    @Test
    @Order(2)
    void aNodeThatStepsDownLetsItsLockGoAndItsPoolLendsTheRestClean() throws Exception {
        ServerInstance leader = leaderInstance();
        ServerInstance standby = leader == first ? second : first;
        int given;
        try (Connection admin = database.connect()) {
            given = lockHolder(admin, leader);
        }
        leader.stepDown(STEP_DOWN_HOLD_OFF);
        assertTakeover(await(standby, NodeStatus::leading, ELECTION_TIMEOUT, "the standby leads after the step-down"));
        // through its hold-off the node keeps its node session (which stays its liveness) but no singleton lock on
        // it, and its pool lends the rest, clean
        try (Connection admin = database.connect(); PreparedStatement held = admin.prepareStatement(SINGLETON_LOCKS_SQL)) {
            held.setInt(1, given);
            try (ResultSet row = held.executeQuery()) {
                assertThat(row.next() ? row.getLong(1) : -1).as("singleton locks still held by pid %s", given).isZero();
            }
        }
        PoolCheck rest = leader.poolCheck(LENDABLE);
        System.out.println("pool check on " + leader.name() + " in its hold-off: " + rest);
        assertThat(rest.problems()).as("connections lent by the pool of %s in its hold-off: %s", leader, rest)
                .isEmpty();
        assertPoolClean(standby, "after it took over");
        await(leader, s -> s.state().equals("STANDBY"), ELECTION_TIMEOUT, "the node that stepped down stands by");
        assertPoolClean(leader, "after its hold-off");
    }

    @Test
    @Order(3)
    void poolLendsEveryConnectionAfterTheLockSessionWasEndedManyTimes() throws Exception {
        long lastToken = tokens.get(tokens.size() - 1);
        try (Connection admin = database.connect()) {
            for (int kill = 1; kill <= SESSION_KILLS; kill++) {
                ServerInstance leader = leaderInstance();
                ServerInstance standby = leader == first ? second : first;
                terminateLockSession(admin, leader);
                String round = " (session kill " + kill + " of " + SESSION_KILLS + ")";
                long previous = lastToken;
                lastToken = await(standby, s -> s.leading() && s.fencingToken() > previous, ELECTION_TIMEOUT,
                        "the standby leads with a new term" + round).fencingToken();
                await(leader, s -> s.state().equals("STANDBY"), ELECTION_TIMEOUT,
                        "the node whose lock session was ended stands by again" + round);
                // its lock session was aborted; its next one came from the same pool, which must lend the rest
                assertPoolClean(leader, "after its lock session was ended" + round);
            }
        }
        ServerInstance leader = leaderInstance();
        assertTakeover(leader.status().orElseThrow());
        assertPoolClean(first, "after " + SESSION_KILLS + " ends of the leader's lock session");
        assertPoolClean(second, "after " + SESSION_KILLS + " ends of the leader's lock session");
    }

    @Test
    @Order(4)
    void standbyTakesOverWhenTheLeaderStopsGracefully() throws Exception {
        ServerInstance leader = leaderInstance();
        ServerInstance standby = leader == first ? second : first;
        Instant signalled = Instant.now();
        leader.stop();
        NodeStatus next = await(standby, NodeStatus::leading, ELECTION_TIMEOUT, "the standby leads");
        gracefulFailover = Duration.between(signalled, next.since());
        assertTakeover(next);
        assertThat(gracefulFailover).as("failover after a graceful stop").isLessThanOrEqualTo(GRACEFUL_BOUND);

        start(leader); // back as a standby, for the crash test
        NodeStatus back = await(leader, s -> s.state().equals("STANDBY"), ELECTION_TIMEOUT, "the restarted node stands by");
        assertThat(back.leading()).isFalse();
    }

    @Test
    @Order(5)
    void standbyTakesOverWhenTheLeaderIsKilled() throws Exception {
        ServerInstance leader = leaderInstance();
        ServerInstance standby = leader == first ? second : first;
        Instant signalled = Instant.now();
        leader.kill();
        NodeStatus next = await(standby, NodeStatus::leading, ELECTION_TIMEOUT, "the standby leads");
        crashFailover = Duration.between(signalled, next.since());
        assertTakeover(next);
        assertThat(crashFailover).as("failover after SIGKILL").isLessThanOrEqualTo(CRASH_BOUND);
    }

    @Test
    @Order(10)
    void deploymentFailsNamingAJndiNameThatDoesNotExist() throws Exception {
        String missing = server.jndiName() + "-missing";
        ServerInstance node = instance("missing-jndi", missing, true);
        start(node);
        String log = awaitLog(node, "HL-0302");
        assertThat(log).contains("HL-0302: the DataSource JNDI name '" + missing
                + "' (highlander.datasource.jndi) was not found");
        assertNotServing(node);
    }

    @Test
    @Order(11)
    void deploymentFailsOnTheServersBuiltInH2DataSource() throws Exception {
        Optional<String> builtIn = server.builtInDataSource();
        assumeTrue(builtIn.isPresent(), server.product() + " binds no DataSource of its own");
        ServerInstance node = instance("h2", builtIn.get(), true);
        start(node);
        String log = awaitLog(node, "HL-0306");
        assertThat(log).contains("HL-0306: the DataSource '" + builtIn.get() + "' is H2, not PostgreSQL");
        assertNotServing(node);
    }

    @Test
    @Order(12)
    void deploymentFailsWhenThePostgresDriverIsMissing() throws Exception {
        ServerInstance node = instance("no-driver", server.jndiName(), false);
        start(node);
        String log = awaitLog(node, "HL-03");
        assertThat(log).as("the server's own complaint").contains(server.missingDriverSymptom());
        assertThat(log).contains("HL-0302: the DataSource JNDI name '" + server.jndiName() + "'");
        assertNotServing(node);
    }

    // --- helpers

    ServerInstance instance(String suffix, String jndiName, boolean driver) throws Exception {
        String name = prefix() + "-" + suffix;
        ServerInstance instance = server.instance(name, new AppServer.Node(name, jndiName, database, driver));
        instances.add(instance);
        return instance;
    }

    Duration start(ServerInstance instance) {
        try {
            Duration startUp = instance.start();
            synchronized (startUps) {
                startUps.add(instance.name() + " " + String.format("%.1f s", startUp.toMillis() / 1000.0));
            }
            return startUp;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A node reports LEADING as soon as it holds the lock; its singleton's {@code @PostConstruct} runs right
     * after, on the lifecycle thread. Waits for that to have happened.
     */
    private NodeStatus started(NodeStatus leader) throws InterruptedException {
        return await(instanceOf(leader), s -> s.lookupOk() != null || !s.leading(), Duration.ofSeconds(15),
                "the singleton's @PostConstruct ran on " + leader.nodeId());
    }

    private void assertTakeover(NodeStatus leading) throws InterruptedException {
        NodeStatus next = started(leading);
        assertThat(next.leading()).as("still leading: %s", next).isTrue();
        assertThat(next.lookupOk()).as("java:comp lookup on the new leader: %s", next).isTrue();
        assertThat(next.fencingToken()).as("the new term's fencing token: %s", next)
                .isGreaterThan(tokens.get(tokens.size() - 1));
        tokens.add(next.fencingToken());
    }

    /**
     * The node's pool lends all connections but its lock session's, each without an advisory lock, with the
     * pool's default network timeout (0) and with every session setting a lock session changes at its start
     * value.
     */
    private static PoolCheck assertPoolClean(ServerInstance node, String when) throws IOException, InterruptedException {
        PoolCheck check = node.poolCheck(LENDABLE);
        System.out.println("pool check on " + node.name() + " " + when + ": " + check);
        assertThat(check.problems()).as("connections lent by the pool of %s %s: %s", node, when, check).isEmpty();
        return check;
    }

    /** @return the backend pid of the leader's lock session, the one session that holds an advisory lock */
    private static int lockHolder(Connection admin, ServerInstance leader) throws SQLException {
        try (PreparedStatement query = admin.prepareStatement(LOCK_HOLDER_SQL);
             ResultSet row = query.executeQuery()) {
            assertThat(row.next()).as("a session holds the singleton's lock").isTrue();
            int pid = row.getInt(1);
            assertThat(row.getString(2)).as("application_name of the lock's holder, pid %s", pid)
                    .isEqualTo("highlander:" + leader.name());
            return pid;
        }
    }

    /** Ends the leader's lock session as an administrator would, with {@code pg_terminate_backend}. */
    private static void terminateLockSession(Connection admin, ServerInstance leader) throws SQLException {
        int pid = lockHolder(admin, leader);
        try (PreparedStatement terminate = admin.prepareStatement(TERMINATE_SQL)) {
            terminate.setInt(1, pid);
            terminate.executeQuery().close();
        }
    }

    void assertNotServing(ServerInstance node) throws InterruptedException {
        assertThat(node.httpStatus(STATUS)).as("%s must not serve the failed application", node).isNotEqualTo(200);
    }

    /** Waits until exactly one node leads and all others stand by. */
    private List<NodeStatus> awaitOneLeader(List<ServerInstance> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + ELECTION_TIMEOUT.toNanos();
        List<String> last = List.of();
        while (System.nanoTime() < deadline) {
            List<Optional<NodeStatus>> answers = nodes.stream().map(ServerInstance::status).toList();
            if (answers.stream().allMatch(Optional::isPresent)) {
                List<NodeStatus> statuses = answers.stream().map(Optional::get).toList();
                long leaders = statuses.stream().filter(NodeStatus::leading).count();
                assertThat(leaders).as("nodes leading at once: %s", statuses).isLessThanOrEqualTo(1);
                if (leaders == 1 && statuses.stream().filter(s -> !s.leading()).allMatch(s -> s.state().equals("STANDBY"))) {
                    return statuses;
                }
            }
            last = answers.stream().map(a -> a.map(NodeStatus::toString).orElse("(no answer)")).toList();
            Thread.sleep(100);
        }
        throw new AssertionError("no single leader within " + ELECTION_TIMEOUT.toSeconds() + " s; last answers: " + last
                + nodes.stream().map(n -> "\n--- " + n + "\n" + n.tail()).collect(Collectors.joining()));
    }

    NodeStatus await(ServerInstance node, Predicate<NodeStatus> condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<NodeStatus> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = node.status();
            if (last.isPresent() && condition.test(last.get())) {
                return last.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("waited " + timeout.toSeconds() + " s for: " + what + " (" + node + "); last answer: "
                + last.map(NodeStatus::toString).orElse("(none)") + "\n" + node.tail());
    }

    static String awaitLog(ServerInstance node, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String log = node.log();
            if (log.contains(text)) {
                return log;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(node + " never logged '" + text + "'; last lines:\n" + node.tail());
    }

    private ServerInstance leaderInstance() throws InterruptedException {
        List<NodeStatus> statuses = awaitOneLeader(List.of(first, second));
        return instanceOf(statuses.stream().filter(NodeStatus::leading).findFirst().orElseThrow());
    }

    private ServerInstance instanceOf(NodeStatus status) {
        return instances.stream().filter(i -> i.name().equals(status.nodeId())).findFirst()
                .orElseThrow(() -> new AssertionError("no instance named " + status.nodeId()));
    }

    /** Appends this server's row to {@code target/app-server-report.md}, for the README's table. */
    private void report() throws IOException {
        if (server == null) {
            return;
        }
        Path report = Path.of(System.getProperty("it.work.dir")).resolveSibling("app-server-report.md");
        if (!Files.exists(report)) {
            Files.writeString(report, "| server | version | JDK | result | start-up (boot + deploy) | graceful failover"
                    + " | crash failover | fencing tokens | class time |\n|---|---|---|---|---|---|---|---|---|\n");
        }
        String row = "| " + server.product() + " | " + server.version() + " | " + server.jdk() + " | "
                + outcomes + " | " + String.join(", ", startUps) + " | " + millis(gracefulFailover) + " | "
                + millis(crashFailover) + " | " + tokens.stream().map(String::valueOf).collect(Collectors.joining(" < "))
                + " | " + (System.nanoTime() - testsStarted) / 1_000_000_000 + " s |\n";
        Files.writeString(report, row, StandardOpenOption.APPEND);
    }

    private static String millis(Duration duration) {
        return duration == null ? "-" : duration.toMillis() + " ms";
    }

    /** Counts outcomes for the report. */
    static final class Outcomes implements TestWatcher {
        private int passed;
        private int failed;
        private int skipped;
        private int disabled;

        @Override
        public void testSuccessful(ExtensionContext context) {
            passed++;
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            failed++;
        }

        @Override
        public void testAborted(ExtensionContext context, Throwable cause) {
            skipped++;
        }

        @Override
        public void testDisabled(ExtensionContext context, java.util.Optional<String> reason) {
            disabled++;
        }

        @Override
        public String toString() {
            return (failed == 0 ? "pass" : "FAIL") + " (" + passed + " passed, " + failed + " failed"
                    + (skipped > 0 ? ", " + skipped + " skipped" : "") + (disabled > 0 ? ", " + disabled + " disabled" : "")
                    + ")";
        }
    }
}
