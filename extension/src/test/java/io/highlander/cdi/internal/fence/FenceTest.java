package io.highlander.cdi.internal.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.NodeSessionStatements;
import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fence's two halves against a real server, with the node sessions played by plain connections that hold the
 * singleton's lock as a node session does: a fenced transaction of an old term ({@link FenceEntry}) and a new
 * term's barrier ({@link FenceBarrier}). An old leader "frozen" inside its transaction is, as the server sees it,
 * exactly this: its node session goes silent (the server ends it at L, modelled by terminating its backend) and its
 * fenced connection sits idle in its transaction. Each test records what happened and asserts on the record.
 */
class FenceTest {

    private static final LockKey SINGLETON = LockKey.of(0x48494748, "fenced-report");
    private static final Duration IDLE_BOUND = Duration.ofMillis(1500);

    private final DataSource dataSource = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());
    private final List<String> record = new CopyOnWriteArrayList<>();
    private final List<Connection> opened = new CopyOnWriteArrayList<>();
    private final ConnectionSource connections = new ConnectionSource() {
        @Override
        public Connection connect() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public String description() {
            return "test database";
        }
    };

    @BeforeEach
    void createTable() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE report (line text NOT NULL)");
        }
    }

    @AfterEach
    void closeConnections() {
        for (Connection c : opened) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a connection the server ended on purpose
            }
        }
    }

    @Test
    void aFrozenOldLeadersCommitFailsAndTheNextTermBeginsOnlyAfterItsTransactionEnded() throws Exception {
        Connection oldSession = nodeSessionHolding(SINGLETON, "old");
        Connection fenced = transaction();
        assertThat(FenceEntry.enter(fenced, SINGLETON, pid(oldSession), "old", IDLE_BOUND)).isTrue();
        insert(fenced, "written by the old term");
        int fencedPid = pid(fenced);

        // the old leader freezes: its node session goes silent and the server ends it, freeing the lock
        terminate(pid(oldSession));
        Connection newSession = nodeSessionHolding(SINGLETON, "new");
        CompletableFuture<Boolean> passed = CompletableFuture.supplyAsync(() -> {
            boolean through = new FenceBarrier(connections, Duration.ofMillis(200)).pass(SINGLETON, "new", () -> true);
            record.add(inTransaction(fencedPid) ? "term began while the old transaction was open" : "term began");
            return through;
        });

        await().atMost(Duration.ofSeconds(30)).until(passed::isDone);
        assertThat(passed.get()).isTrue();
        // the old leader resumes and commits
        assertThatThrownBy(fenced::commit).isInstanceOf(SQLException.class);
        assertThat(record).containsExactly("term began");
        assertThat(lines()).isEmpty();
        assertThat(pid(newSession)).isPositive();
    }

    @Test
    void aTransactionSpanningTheLeaseEndHoldsTheNextTermBackUntilItCommits() throws Exception {
        Connection oldSession = nodeSessionHolding(SINGLETON, "old");
        Connection fenced = transaction();
        assertThat(FenceEntry.enter(fenced, SINGLETON, pid(oldSession), "old", IDLE_BOUND)).isTrue();
        terminate(pid(oldSession)); // the lease ends at the server while the transaction is busy, not paused
        nodeSessionHolding(SINGLETON, "new");
        AtomicBoolean committed = new AtomicBoolean();
        CompletableFuture<Boolean> passed = CompletableFuture.supplyAsync(() -> {
            boolean through = new FenceBarrier(connections, Duration.ofMillis(200)).pass(SINGLETON, "new", () -> true);
            record.add(committed.get() ? "term began after the commit" : "term began before the commit");
            return through;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> barrierWaiting()); // the new term is held back

        insert(fenced, "written across the lease end");
        committed.set(true);
        fenced.commit();

        await().atMost(Duration.ofSeconds(30)).until(passed::isDone);
        assertThat(passed.get()).isTrue();
        assertThat(record).containsExactly("term began after the commit");
        assertThat(lines()).containsExactly("written across the lease end");
    }

    @Test
    void aTransactionFencedAfterTheSessionEndedIsRefused() throws Exception {
        Connection oldSession = nodeSessionHolding(SINGLETON, "old");
        int oldPid = pid(oldSession);
        terminate(oldPid);
        Connection newSession = nodeSessionHolding(SINGLETON, "new");

        Connection late = transaction();
        assertThat(FenceEntry.enter(late, SINGLETON, oldPid, "old", IDLE_BOUND)).isFalse();
        Connection current = transaction();
        assertThat(FenceEntry.enter(current, SINGLETON, pid(newSession), "new", IDLE_BOUND)).isTrue();
        Connection impostor = transaction(); // the right PID, but the session of another node: refused
        assertThat(FenceEntry.enter(impostor, SINGLETON, pid(newSession), "old", IDLE_BOUND)).isFalse();
    }

    @Test
    void theBarrierPassesAtOnceWhenNoFencedTransactionIsOpenAndLeavesNothingHeld() throws Exception {
        nodeSessionHolding(SINGLETON, "new");

        assertThat(new FenceBarrier(connections, Duration.ofMillis(200)).pass(SINGLETON, "new", () -> true)).isTrue();
        assertThat(companionLocks()).isZero();
    }

    @Test
    void theBarrierGivesUpWhenTheTermEnds() throws Exception {
        Connection session = nodeSessionHolding(SINGLETON, "old");
        Connection fenced = transaction();
        assertThat(FenceEntry.enter(fenced, SINGLETON, pid(session), "old", Duration.ofMinutes(1))).isTrue();
        AtomicBoolean termRuns = new AtomicBoolean(true);
        CompletableFuture<Boolean> passed = CompletableFuture.supplyAsync(
                () -> new FenceBarrier(connections, Duration.ofMillis(200)).pass(SINGLETON, "new", termRuns::get));
        await().atMost(Duration.ofSeconds(10)).until(this::barrierWaiting);

        termRuns.set(false);

        assertThat(passed.get(30, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
        fenced.rollback();
    }

    @Test
    void theTakeoverStatementTriesTheCompanionOfWhatItTookSeesAnOpenFencedTransactionAndLeavesNothingHeld()
            throws Exception {
        Connection oldSession = nodeSessionHolding(SINGLETON, "old");
        Connection fenced = transaction();
        assertThat(FenceEntry.enter(fenced, SINGLETON, pid(oldSession), "old", IDLE_BOUND)).isTrue();
        unlock(oldSession, SINGLETON); // the old term let go; its fenced transaction is still open
        int companions = FenceKey.namespaceOf(SINGLETON.namespace());

        NodeSessionStatements first = NodeSessionStatements.open(connections, "fenced-report", "new",
                Duration.ofSeconds(10), Duration.ofMillis(200), false);
        try {
            NodeStatements.Grab grab = first.tryAcquireAll(SINGLETON.namespace(), companions,
                    List.of(SINGLETON.key()), Duration.ofSeconds(5));
            record.add("open: took " + grab.keys() + ", busy " + grab.busy());
            assertThat(companionLocks()).isOne(); // the fenced transaction's; the try held none past its commit
        } finally {
            first.release();
        }
        fenced.rollback();
        NodeSessionStatements second = NodeSessionStatements.open(connections, "fenced-report", "new",
                Duration.ofSeconds(10), Duration.ofMillis(200), false);
        try {
            NodeStatements.Grab grab = second.tryAcquireAll(SINGLETON.namespace(), companions,
                    List.of(SINGLETON.key()), Duration.ofSeconds(5));
            record.add("ended: took " + grab.keys() + ", busy " + grab.busy());
            assertThat(companionLocks()).isZero();
        } finally {
            second.release();
        }

        assertThat(record).containsExactly("open: took [" + SINGLETON.key() + "], busy [" + SINGLETON.key() + "]",
                "ended: took [" + SINGLETON.key() + "], busy []");
    }

    @Test
    void aTakeoverThatTakesNothingTriesNoCompanion() throws Exception {
        Connection holder = nodeSessionHolding(SINGLETON, "old");
        Connection fenced = transaction();
        assertThat(FenceEntry.enter(fenced, SINGLETON, pid(holder), "old", IDLE_BOUND)).isTrue();
        NodeSessionStatements node = NodeSessionStatements.open(connections, "fenced-report", "new",
                Duration.ofSeconds(10), Duration.ofMillis(200), false);
        try {
            NodeStatements.Grab grab = node.tryAcquireAll(SINGLETON.namespace(),
                    FenceKey.namespaceOf(SINGLETON.namespace()), List.of(SINGLETON.key()), Duration.ofSeconds(5));

            assertThat(grab.keys()).isEmpty();
            assertThat(grab.busy()).isEmpty(); // a busy companion of a key it did not take says nothing
        } finally {
            node.release();
            fenced.rollback();
        }
    }

    // ---- the parts a node would be ----

    /** A connection that holds the singleton's lock and names itself as a node session does. */
    private Connection nodeSessionHolding(LockKey key, String node) throws SQLException {
        Connection c = open();
        try (PreparedStatement s = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
            s.setString(1, LockSession.APPLICATION_NAME_PREFIX + node);
            s.execute();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
            s.setInt(1, key.namespace());
            s.setInt(2, key.key());
            s.execute(); // blocks until a terminated holder's backend has exited
        }
        return c;
    }

    /** The singleton's lock let go, as an old leader's unlock does; its connection stays open. */
    private static void unlock(Connection session, LockKey key) throws SQLException {
        try (PreparedStatement s = session.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            s.setInt(1, key.namespace());
            s.setInt(2, key.key());
            s.execute();
        }
    }

    private Connection transaction() throws SQLException {
        Connection c = open();
        c.setAutoCommit(false);
        return c;
    }

    private Connection open() throws SQLException {
        Connection c = dataSource.getConnection();
        opened.add(c);
        return c;
    }

    private int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    private void insert(Connection c, String line) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO report (line) VALUES (?)")) {
            s.setString(1, line);
            s.executeUpdate();
        }
    }

    private List<String> lines() throws SQLException {
        List<String> lines = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT line FROM report")) {
            while (r.next()) {
                lines.add(r.getString(1));
            }
        }
        return lines;
    }

    private void terminate(int pid) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            s.setInt(1, pid);
            s.execute();
        }
    }

    /**
     * Whether the backend still has a transaction open: its virtual transaction id's lock, taken when a transaction
     * starts and let go at its end before its advisory transaction locks. Not whether the backend is still in
     * pg_stat_activity: a backend ended by the server lets its locks go first and leaves pg_stat_activity a moment
     * later, and on a loaded machine the barrier passed inside that moment.
     */
    private boolean inTransaction(int pid) {
        return count("SELECT count(*) FROM pg_locks WHERE pid = ? AND locktype = 'virtualxid'", pid) > 0;
    }

    private boolean barrierWaiting() {
        return count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = ?::oid",
                Integer.toUnsignedLong(FenceKey.of(SINGLETON).namespace())) > 0;
    }

    private long companionLocks() {
        return count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ?::oid",
                Integer.toUnsignedLong(FenceKey.of(SINGLETON).namespace()));
    }

    private long count(String sql, long parameter) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, parameter);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
