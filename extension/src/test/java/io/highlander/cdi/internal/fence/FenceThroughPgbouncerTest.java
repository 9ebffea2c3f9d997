package io.highlander.cdi.internal.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.Pgbouncer;
import io.highlander.cdi.testing.Pgbouncer.PoolMode;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The fence through a real pgbouncer in session mode, the pooler the elections work through: every connection, the
 * node sessions' and the application's, goes through it. pgbouncer hands out its own backend key data, so the fence
 * must name the node session by the PID the server reports ({@code pg_backend_pid()}), not by what the driver was
 * told. Each test records what happened and asserts on the record.
 */
class FenceThroughPgbouncerTest {

    private static final LockKey SINGLETON = LockKey.of(0x48494748, "fenced-report");
    private static final Duration IDLE_BOUND = Duration.ofMillis(1500);

    @TempDir
    Path directory;

    private final List<String> record = new CopyOnWriteArrayList<>();
    private final List<Connection> opened = new CopyOnWriteArrayList<>();
    private final List<TestNode> nodes = new ArrayList<>();
    private final History history = new History();
    private TestPostgres postgres;
    private String databaseUrl;
    private Pgbouncer pgbouncer;
    private DataSource throughPgbouncer;

    @BeforeEach
    void startPgbouncer() throws Exception {
        Optional<String> missing = Pgbouncer.ensureInstalled();
        Assumptions.assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());
        postgres = TestPostgres.shared();
        databaseUrl = postgres.newDatabase();
        String database = databaseUrl.replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
        Matcher server = Pattern.compile("//(localhost|127\\.0\\.0\\.1):(\\d+)/").matcher(postgres.url());
        Assumptions.assumeTrue(server.find(), "pgbouncer runs on this host, in front of a server on this host");
        pgbouncer = Pgbouncer.start(directory.resolve("pgbouncer"), Integer.parseInt(server.group(2)), database,
                postgres.user(), 12, false, PoolMode.SESSION);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(pgbouncer.defaultUrl(database));
        dataSource.setUser(postgres.user());
        if (postgres.password() != null) {
            dataSource.setPassword(postgres.password());
        }
        throughPgbouncer = dataSource;
        try (Connection c = throughPgbouncer.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE report (line text NOT NULL)");
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestNode::close);
        for (Connection c : opened) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a connection the server ended on purpose
            }
        }
        if (pgbouncer != null) {
            pgbouncer.close();
        }
    }

    @Test
    void aFrozenOldLeadersCommitFailsAndTheNextTermBeginsOnlyAfterItsTransactionEnded() throws Exception {
        Connection oldSession = nodeSessionHolding("old");
        Connection fenced = transaction();
        assertThat(FenceEntry.enter(fenced, SINGLETON, pid(oldSession), "old", IDLE_BOUND)).isTrue();
        insert(fenced, "written by the old term");
        int fencedPid = pid(fenced);

        terminate(pid(oldSession)); // the old leader froze: the server ended its node session, the lock is free
        nodeSessionHolding("new");
        CompletableFuture<Boolean> passed = CompletableFuture.supplyAsync(() -> {
            boolean through = new FenceBarrier(connections(), Duration.ofMillis(200)).pass(SINGLETON, "new", () -> true);
            record.add(inTransaction(fencedPid) ? "term began while the old transaction was open" : "term began");
            return through;
        });

        await().atMost(Duration.ofSeconds(30)).until(passed::isDone);
        assertThat(passed.get()).isTrue();
        record.add("old commit: " + commit(fenced)); // the old leader resumes
        assertThat(record).containsExactly("term began", "old commit: failed");
        assertThat(lines()).isEmpty();
    }

    @Test
    void aTransactionFencedAfterTheSessionEndedIsRefused() throws Exception {
        Connection oldSession = nodeSessionHolding("old");
        int oldPid = pid(oldSession);
        terminate(oldPid);
        Connection newSession = nodeSessionHolding("new");

        assertThat(FenceEntry.enter(transaction(), SINGLETON, oldPid, "old", IDLE_BOUND)).isFalse();
        assertThat(FenceEntry.enter(transaction(), SINGLETON, pid(newSession), "new", IDLE_BOUND)).isTrue();
    }

    @Test
    void aNodeBehindPgbouncerFencesItsWritesOnTheLeaderAndIsRefusedOnAStandby() throws Exception {
        TestNode a = node("a");
        await().atMost(Duration.ofSeconds(30)).until(() -> a.elector().isLeader("ticker"));
        TestNode b = node("b");
        await().atMost(Duration.ofSeconds(30)).until(() -> b.elector().leader("ticker").isPresent());

        Connection onLeader = transaction();
        long token = a.container().select(Leadership.class, OfSingleton.Literal.of("ticker")).get().fence(onLeader);
        insert(onLeader, "leader " + token);
        record.add("leader: " + commit(onLeader));
        Connection onStandby = transaction();
        Leadership standby = b.container().select(Leadership.class, OfSingleton.Literal.of("ticker")).get();
        assertThatThrownBy(() -> standby.fence(onStandby)).isInstanceOf(NotLeaderException.class);
        onStandby.rollback();

        assertThat(record).containsExactly("leader: committed");
        assertThat(lines()).containsExactly("leader " + token);
    }

    // ---- the parts ----

    private TestNode node(String id) {
        TestNode node = TestNode.start(HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(2)).build(),
                throughPgbouncer, Map.of(History.class, history), Ticker.class);
        nodes.add(node);
        return node;
    }

    /** A connection through pgbouncer that holds the singleton's lock and names itself as a node session does. */
    private Connection nodeSessionHolding(String node) throws SQLException {
        Connection c = open();
        try (PreparedStatement s = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
            s.setString(1, LockSession.APPLICATION_NAME_PREFIX + node);
            s.execute();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
            s.setInt(1, SINGLETON.namespace());
            s.setInt(2, SINGLETON.key());
            s.execute();
        }
        return c;
    }

    private ConnectionSource connections() {
        return new ConnectionSource() {
            @Override
            public Connection connect() throws SQLException {
                return throughPgbouncer.getConnection();
            }

            @Override
            public String description() {
                return "pgbouncer in session mode";
            }
        };
    }

    private Connection transaction() throws SQLException {
        Connection c = open();
        c.setAutoCommit(false);
        return c;
    }

    private Connection open() throws SQLException {
        Connection c = throughPgbouncer.getConnection();
        opened.add(c);
        return c;
    }

    private static String commit(Connection c) {
        try {
            c.commit();
            return "committed";
        } catch (SQLException e) {
            return "failed";
        }
    }

    /** The PID the server reports: behind pgbouncer the driver's own backend key is pgbouncer's. */
    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static void insert(Connection c, String line) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO report (line) VALUES (?)")) {
            s.setString(1, line);
            s.executeUpdate();
        }
    }

    private List<String> lines() throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = direct(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT line FROM report")) {
            while (r.next()) {
                lines.add(r.getString(1));
            }
        }
        return lines;
    }

    /** Server-side statements of the test itself go straight to the server, past pgbouncer. */
    private Connection direct() throws SQLException {
        return postgres.dataSource(databaseUrl).getConnection();
    }

    private void terminate(int pid) throws SQLException {
        try (Connection c = direct(); PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
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
        try (Connection c = direct();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE pid = ? AND locktype = 'virtualxid'")) {
            s.setInt(1, pid);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1) > 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
