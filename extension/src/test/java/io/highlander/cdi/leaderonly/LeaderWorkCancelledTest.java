package io.highlander.cdi.leaderonly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TcpProxy;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leader work cancelled when its term ends (docs/design/fencing.md §8), through the real parts: Weld nodes on one
 * real database, a {@code @LeaderOnly} method in flight inside a fenced transaction on the application's own
 * connection, on a pooled thread of the test's (a container's thread, as an executor or a timer would lend it).
 * The term ends three ways: a step-down, the node session's backend terminated by the server, and the lease running
 * out while the node session's statement is frozen. Each test records what the method saw, what its commit did and
 * what the database holds, and asserts on the record.
 */
class LeaderWorkCancelledTest {

    static final String ELECTION = "cancelled-report";
    private static final Duration LEASE = Duration.ofSeconds(2);
    /** How long the method waits for an interrupt before it says it had none (the test fails then). */
    static final Duration NO_INTERRUPT = Duration.ofSeconds(30);

    private final String url = TestPostgres.shared().newDatabase();
    private final DataSource database = TestPostgres.shared().dataSource(url);
    private final History history = new History();
    private final Work work = new Work(database, history);
    private final List<TestNode> nodes = new ArrayList<>();
    private final List<TcpProxy> proxies = new ArrayList<>();
    /** One pooled thread, as a container lends one to a timer or an executor task. */
    private final ExecutorService containerThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        containerThread.shutdownNow();
        nodes.forEach(TestNode::close);
        proxies.forEach(TcpProxy::close);
    }

    @Test
    void aStepDownInterruptsTheCallInFlightAndItsFencedCommitFails() throws Exception {
        createTable();
        TestNode a = node("a", database);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.elector().isLeader(ELECTION));
        // a thread outside any @LeaderOnly call that fenced a transaction: its connection is aborted, the thread
        // itself is never interrupted
        Leadership byName = a.container().select(Leadership.class, OfSingleton.Literal.of(ELECTION)).get();
        Connection outside = database.getConnection();
        outside.setAutoCommit(false);
        long token = byName.fence(outside);
        insert(outside, "outside a call");

        try (LogRecorder log = LogRecorder.of("io.highlander.cdi.internal.fence")) {
            CompletableFuture<Void> call = callInFlight(a);
            a.elector().stepDown(ELECTION, Duration.ofSeconds(30));
            call.get(60, TimeUnit.SECONDS);
            history.add("test", "test thread interrupted: " + Thread.currentThread().isInterrupted(), -1);
            history.add("test", "commit outside a call: " + commit(outside), -1);
            nextTaskOnTheContainerThread();

            assertThat(whatHappened()).containsExactly(
                    "fenced " + token,
                    "interrupted, flag set",
                    "commit: failed 08003",
                    "container thread after the call: interrupted false",
                    "test thread interrupted: false",
                    "commit outside a call: failed 08003",
                    "next task on the container thread: interrupted false");
            assertThat(log.messages()).contains("HL-0440: " + ELECTION + ": term " + token + " ended on node a"
                    + " (STEPPED_DOWN), so its work is cancelled: 1 @LeaderOnly call(s) in flight interrupted,"
                    + " 2 connection(s) still open in a fenced transaction aborted (their commits fail)");
        }
        assertThat(lines()).isEmpty();
    }

    @Test
    void theNodeSessionTerminatedByTheServerInterruptsTheCallInFlight() throws Exception {
        createTable();
        TestNode a = node("a", database);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.elector().isLeader(ELECTION));
        long token = a.elector().checkLeadership(ELECTION);

        try (LogRecorder log = LogRecorder.of("io.highlander.cdi.internal.fence")) {
            CompletableFuture<Void> call = callInFlight(a);
            assertThat(terminateLockHoldersOf("a")).isEqualTo(1);
            call.get(60, TimeUnit.SECONDS);
            nextTaskOnTheContainerThread();

            assertThat(whatHappened()).containsExactly(
                    "fenced " + token,
                    "interrupted, flag set",
                    "commit: failed 08003",
                    "container thread after the call: interrupted false",
                    "next task on the container thread: interrupted false");
            assertThat(log.messages()).contains("HL-0440: " + ELECTION + ": term " + token + " ended on node a"
                    + " (CONNECTION_LOST), so its work is cancelled: 1 @LeaderOnly call(s) in flight interrupted,"
                    + " 1 connection(s) still open in a fenced transaction aborted (their commits fail)");
        }
        assertThat(lines()).isEmpty();
    }

    @Test
    void aLeaseThatRunsOutWhileTheNodeSessionIsFrozenInterruptsTheCallAndTheNextTermWaitsForItsTransaction()
            throws Exception {
        createTable();
        TcpProxy proxy = new TcpProxy(TestPostgres.shared().port());
        proxies.add(proxy);
        // the lock connections go through the proxy, the application's own connections straight to the server
        TestNode a = node("a", TestPostgres.shared().dataSource(proxy.route(url)));
        await().atMost(Duration.ofSeconds(30)).until(() -> a.elector().isLeader(ELECTION));
        long token = a.elector().checkLeadership(ELECTION);

        try (LogRecorder log = LogRecorder.of("io.highlander.cdi.internal.fence")) {
            CompletableFuture<Void> call = callInFlight(a);
            int fencedPid = work.fencedPid;
            TestNode b = node("b", database);
            b.container().select(Acquisitions.class).get().watch(fencedPid);
            proxy.holdResponses(); // a's next heartbeat reaches the server, its answer never comes back
            call.get(60, TimeUnit.SECONDS);
            nextTaskOnTheContainerThread();
            // b's observer writes after isLeader turns true: wait for what it writes
            await().atMost(Duration.ofSeconds(30)).until(() -> !whatHappened("b").isEmpty());

            assertThat(whatHappened("a", "test")).containsExactly(
                    "fenced " + token,
                    "interrupted, flag set",
                    "commit: failed 08003",
                    "container thread after the call: interrupted false",
                    "next task on the container thread: interrupted false");
            assertThat(whatHappened("b")).containsExactly("b acquired, a's fenced transaction ended");
            assertThat(log.messages()).contains("HL-0440: " + ELECTION + ": term " + token + " ended on node a"
                    + " (LEASE_EXPIRED), so its work is cancelled: 1 @LeaderOnly call(s) in flight interrupted,"
                    + " 1 connection(s) still open in a fenced transaction aborted (their commits fail)");
        }
        assertThat(lines()).isEmpty();
    }

    // ---- the parts ----

    /** Calls {@link Writer#writeAndWait()} on the container thread; returns once it is inside its transaction. */
    private CompletableFuture<Void> callInFlight(TestNode node) throws InterruptedException {
        Writer writer = node.bean(Writer.class);
        CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
            writer.writeAndWait();
            history.add("test", "container thread after the call: interrupted "
                    + Thread.currentThread().isInterrupted(), -1);
        }, containerThread);
        assertThat(work.entered.await(30, TimeUnit.SECONDS)).as("the call is inside its fenced transaction").isTrue();
        return call;
    }

    private void nextTaskOnTheContainerThread() throws Exception {
        CompletableFuture.runAsync(() -> history.add("test", "next task on the container thread: interrupted "
                + Thread.currentThread().isInterrupted(), -1), containerThread).get(30, TimeUnit.SECONDS);
    }

    private List<String> whatHappened() {
        return history.entries().stream().map(History.Entry::what).toList();
    }

    private List<String> whatHappened(String... nodes) {
        List<String> wanted = List.of(nodes);
        return history.entries().stream().filter(e -> wanted.contains(e.node())).map(History.Entry::what).toList();
    }

    private TestNode node(String id, DataSource lockConnections) {
        TestNode node = TestNode.start(HighlanderSettings.builder().nodeId(id).lease(LEASE).build(), lockConnections,
                Map.of(History.class, history, Work.class, work), Writer.class, Acquisitions.class);
        nodes.add(node);
        return node;
    }

    private void createTable() throws SQLException {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE report (line text NOT NULL)");
        }
    }

    static void insert(Connection c, String line) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO report (line) VALUES (?)")) {
            s.setString(1, line);
            s.executeUpdate();
        }
    }

    static String commit(Connection c) {
        try {
            c.commit();
            return "committed";
        } catch (SQLException e) {
            return "failed " + e.getSQLState();
        } finally {
            try {
                c.close();
            } catch (SQLException ignored) {
                // aborted already
            }
        }
    }

    private List<String> lines() throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT line FROM report")) {
            while (r.next()) {
                lines.add(r.getString(1));
            }
        }
        return lines;
    }

    /** Ends, from the server side, the node's sessions that hold a singleton's lock: its node session. */
    private int terminateLockHoldersOf(String node) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement terminate = c.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(a.pid))"
                     + " FROM pg_stat_activity a WHERE a.datname = current_database() AND a.application_name = ?"
                     + " AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory'"
                     + " AND l.granted AND l.objsubid = 2)")) {
            terminate.setString(1, "highlander:" + node);
            try (ResultSet row = terminate.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    static boolean backendAlive(DataSource database, int pid) {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
            s.setInt(1, pid);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1) > 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the test shares with the nodes: the application's database, the record, and when the call is in. */
    static final class Work {
        final DataSource database;
        final History history;
        final CountDownLatch entered = new CountDownLatch(1);
        volatile int fencedPid;

        Work(DataSource database, History history) {
            this.database = database;
            this.history = history;
        }
    }

    /** The leader's work: a fenced write that waits, as a long job would, until its term's end interrupts it. */
    @ApplicationScoped
    public static class Writer {

        @Inject
        @OfSingleton(ELECTION)
        Leadership leadership;
        @Inject
        Work work;

        /** Fences, writes, waits (parked, so that the interrupt flag stays as the term's end leaves it), commits. */
        @LeaderOnly(ELECTION)
        public void writeAndWait() {
            try (Connection c = work.database.getConnection()) {
                c.setAutoCommit(false);
                long token = leadership.fence(c);
                insert(c, "written by term " + token);
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
                    r.next();
                    work.fencedPid = r.getInt(1);
                }
                work.history.add("a", "fenced " + token, token);
                work.entered.countDown();
                long deadline = System.nanoTime() + NO_INTERRUPT.toNanos();
                while (!Thread.currentThread().isInterrupted() && deadline - System.nanoTime() > 0) {
                    LockSupport.parkNanos(deadline - System.nanoTime());
                }
                work.history.add("a", Thread.currentThread().isInterrupted() ? "interrupted, flag set"
                        : "not interrupted", token);
                work.history.add("a", "commit: " + commit(c), token);
            } catch (SQLException e) {
                work.history.add("a", "failed before the commit: " + e.getSQLState() + " " + e.getMessage(), -1);
            }
        }
    }

    /** Records each term's start on this node, and whether a watched fenced backend still existed then. */
    @ApplicationScoped
    public static class Acquisitions {

        @Inject
        Work work;
        private volatile int watched;

        void watch(int pid) {
            watched = pid;
        }

        void acquired(@Observes LeadershipAcquired event) {
            if (watched != 0 && event.singleton().equals(ELECTION)) {
                work.history.add(event.nodeId(), event.nodeId() + " acquired, a's fenced transaction "
                        + (backendAlive(work.database, watched) ? "still open" : "ended"), event.fencingToken());
            }
        }
    }
}
