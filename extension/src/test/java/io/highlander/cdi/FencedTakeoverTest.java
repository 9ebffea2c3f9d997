package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Leadership#fence} through the real parts: two Weld nodes on HikariCP pools of one database, the
 * application's writes on pooled connections. The old leader's term ends while its fenced transaction is open and
 * idle (what the server sees of a frozen leader once its lock is gone); the new leader holds the lock but its term
 * waits; the history records the order of the two, and the tests assert on it.
 */
class FencedTakeoverTest {

    private static final Duration LEASE = Duration.ofMillis(1500);

    private final String url = TestPostgres.shared().newDatabase();
    private final History history = new History();
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(TestNode::close);
        pools.forEach(HikariDataSource::close);
    }

    @Test
    void anOldLeadersIdleFencedTransactionIsEndedItsCommitFailsAndTheNewTermBeginsOnlyAfterIt() throws Exception {
        HikariDataSource poolA = pool();
        createTable(poolA);
        TestNode a = node("a", poolA);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.elector().isLeader("ticker"));
        Leadership leadershipA = a.container().select(Leadership.class, OfSingleton.Literal.of("ticker")).get();
        Connection fenced = poolA.getConnection();
        fenced.setAutoCommit(false);
        long token = leadershipA.fence(fenced);
        insert(fenced, "old term " + token);
        int fencedPid = pid(fenced);

        a.close(); // the old term ends and its lock is let go while its fenced transaction is still open
        TestNode b = node("b", pool());
        await().atMost(Duration.ofSeconds(30)).until(() -> b.elector().isLeader("ticker"));
        history.add("test", alive(poolA, fencedPid) ? "b began, old transaction open" : "b began", 0);

        assertThat(history.entries("b began, old transaction open")).isEmpty();
        assertThatThrownBy(fenced::commit).isInstanceOf(SQLException.class); // the old leader resumes
        fenced.close();
        assertThat(history.entries("b began")).hasSize(1);
        assertThat(lines(poolA)).isEmpty();
    }

    @Test
    void aFencedTransactionOnThePoolCommitsOnTheLeaderAndIsRefusedOnAStandby() throws Exception {
        HikariDataSource poolA = pool();
        createTable(poolA);
        TestNode a = node("a", poolA);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.elector().isLeader("ticker"));
        TestNode b = node("b", pool());
        await().atMost(Duration.ofSeconds(30)).until(() -> b.elector().leader("ticker").isPresent());

        try (Connection c = poolA.getConnection()) {
            c.setAutoCommit(false);
            long token = a.container().select(Leadership.class, OfSingleton.Literal.of("ticker")).get().fence(c);
            insert(c, "leader " + token);
            c.commit();
            assertThat(token).isEqualTo(a.elector().checkLeadership("ticker"));
        }
        try (Connection c = pool().getConnection()) {
            c.setAutoCommit(false);
            Leadership standby = b.container().select(Leadership.class, OfSingleton.Literal.of("ticker")).get();
            assertThatThrownBy(() -> standby.fence(c)).isInstanceOf(NotLeaderException.class);
            c.rollback();
        }
        try (Connection c = poolA.getConnection()) {
            Leadership leader = a.container().select(Leadership.class, OfSingleton.Literal.of("ticker")).get();
            assertThatThrownBy(() -> leader.fence(c)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("HL-0471: ticker: Leadership.fence needs a connection inside a transaction, but it is"
                            + " in autocommit; call setAutoCommit(false) first, or fence inside a JTA transaction");
        }
        assertThat(lines(poolA)).hasSize(1);
    }

    private TestNode node(String id, HikariDataSource pool) {
        TestNode node = TestNode.start(HighlanderSettings.builder().nodeId(id).lease(LEASE).build(), pool,
                Map.of(History.class, history), Ticker.class);
        nodes.add(node);
        return node;
    }

    private HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(TestPostgres.shared().user());
        config.setPassword(TestPostgres.shared().password());
        config.setMaximumPoolSize(6);
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        return pool;
    }

    private static void createTable(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE report (line text NOT NULL)");
        }
    }

    private static void insert(Connection c, String line) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO report (line) VALUES (?)")) {
            s.setString(1, line);
            s.executeUpdate();
        }
    }

    private static List<String> lines(HikariDataSource pool) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT line FROM report")) {
            while (r.next()) {
                lines.add(r.getString(1));
            }
        }
        return lines;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static boolean alive(HikariDataSource pool, int pid) throws SQLException {
        return count(pool, "SELECT count(*) FROM pg_stat_activity WHERE pid = ?", pid) > 0;
    }

    private static long count(HikariDataSource pool, String sql, long parameter) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, parameter);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
