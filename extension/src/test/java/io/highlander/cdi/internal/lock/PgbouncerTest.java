package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.testing.Pgbouncer;
import io.highlander.cdi.testing.Pgbouncer.PoolMode;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Lock sessions through Debian's real pgbouncer: in transaction mode every detector that can see it says so
 * with {@code HL-0311}; in session mode everything works as with a direct connection.
 */
class PgbouncerTest {

    private static final LockKey KEY = LockKey.of(7, "ticker");
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final String TAIL = ": a pooler in transaction mode (e.g. pgbouncer) sits in between, and session"
            + " advisory locks cannot work there. Connect Highlander directly to PostgreSQL or through a pooler in"
            + " session mode.";

    @TempDir
    Path directory;

    private final List<NodeSessionStatements> sessions = new ArrayList<>();
    private TestPostgres postgres;
    private String database;
    private String databaseUrl;
    private Pgbouncer pgbouncer;

    @BeforeEach
    void requirePgbouncer() throws InterruptedException {
        Optional<String> missing = Pgbouncer.ensureInstalled();
        Assumptions.assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());
        postgres = TestPostgres.shared();
        databaseUrl = postgres.newDatabase();
        database = databaseUrl.replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
    }

    @AfterEach
    void stop() {
        sessions.forEach(NodeSessionStatements::abandon);
        if (pgbouncer != null) {
            pgbouncer.close();
        }
    }

    @Test
    void transactionModeSharingOneBackendIsDetectedAtAcquireAndAtHeartbeat() throws Exception {
        start(PoolMode.TRANSACTION, 1, false);
        NodeSessionStatements first = open("a", pgbouncer.url(database));
        assertThat(Live.take(first, KEY)).isTrue();
        NodeSessionStatements second = open("b", pgbouncer.url(database));

        assertThatThrownBy(() -> Live.take(second, KEY)).isInstanceOf(PoolerDetectedException.class)
                .hasMessageStartingWith("HL-0324: the lock connection of singleton 'ticker' found the lock already held"
                        + " by its own PostgreSQL backend ")
                .hasMessageEndingWith(TAIL + " This node no longer competes for it.");
        assertThatThrownBy(() -> first.heartbeat(Duration.ofSeconds(5))).isInstanceOf(PoolerDetectedException.class)
                .hasMessageStartingWith("HL-0325: the lock connection of singleton 'ticker' found another client's"
                        + " session tag on PostgreSQL backend ")
                .hasMessageEndingWith(TAIL + " This node no longer competes for it.");
    }

    @Test
    void transactionModeAlternatingTwoBackendsIsDetected() throws Exception {
        start(PoolMode.TRANSACTION, 2, true);
        try (Connection busy = dataSource(pgbouncer.url(database)).getConnection();
             Connection other = dataSource(pgbouncer.url(database)).getConnection()) {
            busy.setAutoCommit(false);
            busy.createStatement().execute("SELECT 1"); // holds its server connection until the commit
            other.createStatement().execute("SELECT 1"); // so this one needs a second
            busy.commit();
        }
        assertThat(serverConnections()).as("server connections in the pool").isEqualTo(2);

        Throwable failure = catchThrowable(() -> {
            NodeSessionStatements session = open("a", pgbouncer.url(database));
            Live.take(session, KEY);
            session.heartbeat(Duration.ofSeconds(5));
            session.heartbeat(Duration.ofSeconds(5));
        });

        assertThat(failure).isInstanceOf(PoolerDetectedException.class).hasMessageMatching("HL-032[3-6]: .*");
    }

    @Test
    void transactionModeBreakingServerSidePreparedStatementsIsDetected() throws Exception {
        start(PoolMode.TRANSACTION, 1, false);
        NodeSessionStatements first = open("a", pgbouncer.defaultUrl(database));
        for (int i = 0; i < 6; i++) {
            first.heartbeat(Duration.ofSeconds(5)); // from the 5th on, a prepared statement S_n on the shared backend
        }
        NodeSessionStatements second = open("b", pgbouncer.defaultUrl(database));

        Throwable failure = catchThrowable(() -> {
            for (int i = 0; i < 6; i++) {
                second.heartbeat(Duration.ofSeconds(5));
            }
        });

        assertThat(failure).isInstanceOf(PoolerDetectedException.class)
                .hasMessageStartingWith("HL-0326: the lock connection of singleton 'ticker' failed with SQLState 42P05 (")
                .hasMessageEndingWith(TAIL + " This node no longer competes for it.");
    }

    @Test
    void sessionModeWorksAsADirectConnectionDoes() throws Exception {
        start(PoolMode.SESSION, 2, false);
        NodeSessionStatements first = open("a", pgbouncer.defaultUrl(database));
        NodeSessionStatements second = open("b", pgbouncer.defaultUrl(database));

        long token = Live.grab(first, KEY).token();
        assertThat(token).isPositive();
        for (int i = 0; i < 8; i++) {
            first.heartbeat(Duration.ofSeconds(5));
            assertThat(Live.take(second, KEY)).as("the other client sees the lock taken").isFalse();
        }
        assertThat(Live.holder(second, KEY).flatMap(LockHolder::nodeId)).contains("a");

        first.release();
        assertThat(Live.grab(second, KEY).token()).isGreaterThan(token);
        second.heartbeat(Duration.ofSeconds(5));
        second.release();

        try (Connection direct = postgres.dataSource(databaseUrl).getConnection()) {
            assertThat(Live.holderOf(direct, KEY)).as("the lock is gone after release").isEmpty();
        }
    }

    @Test
    void aNodeBehindATransactionPoolerFailsToDeploy() throws Exception {
        start(PoolMode.TRANSACTION, 1, false);
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("p").build();

        Throwable failure = catchThrowable(() -> TestNode.start(settings, dataSource(pgbouncer.url(database)), Map.of(),
                PooledJob.class).close());

        assertThat(messages(failure)).anyMatch(message -> message.startsWith("HL-0311: two connections of the DataSource"
                + " @HighlanderDataSource bean io.highlander.cdi.testing.TestNode open at the same time share PostgreSQL"
                + " backend ") && message.endsWith(TAIL));
    }

    @Test
    void aNodeBehindASessionPoolerLeads() throws Exception {
        start(PoolMode.SESSION, 3, false);
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("s").build();

        try (TestNode node = TestNode.start(settings, dataSource(pgbouncer.defaultUrl(database)), Map.of(),
                PooledJob.class)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> node.elector().isLeader("pooled-job"));
        }
    }

    private void start(PoolMode mode, int poolSize, boolean alternate) throws Exception {
        Matcher server = Pattern.compile("//(localhost|127\\.0\\.0\\.1):(\\d+)/").matcher(postgres.url());
        Assumptions.assumeTrue(server.find(), "pgbouncer runs on this host, in front of a server on this host");
        pgbouncer = Pgbouncer.start(directory.resolve("pgbouncer"), Integer.parseInt(server.group(2)), database,
                postgres.user(), poolSize, alternate, mode);
    }

    /** @return how many connections pgbouncer holds to the test's database */
    private int serverConnections() throws SQLException {
        try (Connection admin = postgres.dataSource().getConnection();
             java.sql.PreparedStatement query = admin.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
            query.setString(1, database);
            try (java.sql.ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private NodeSessionStatements open(String node, String url) throws SQLException {
        ConnectionSource source = DataSourceLocator.of(dataSource(url), "pgbouncer");
        NodeSessionStatements session = NodeSessionStatements.open(source, "ticker", node, LEASE, INTERVAL, false);
        sessions.add(session);
        return session;
    }

    private PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(postgres.user());
        if (postgres.password() != null) {
            dataSource.setPassword(postgres.password());
        }
        return dataSource;
    }

    private static List<String> messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        return messages;
    }

    @ApplicationScoped
    @ClusterSingleton("pooled-job")
    static class PooledJob {
    }
}
