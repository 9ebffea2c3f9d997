package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.internal.fence.FenceKey;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * PostgreSQL's shared lock table, which every advisory lock takes an entry of, on a server of its own with the
 * smallest {@code max_locks_per_transaction} (10) and 20 connections: 10 × (20 + 0) = 200 entries as the
 * documentation counts them. A node that wants more locks than fit is told so in one line with that arithmetic and
 * the setting to raise (HL-0360), not with the server's bare {@code out of shared memory}.
 */
class LockTableTest {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int NAMESPACE = 7;
    private static final int COMPANIONS = FenceKey.namespaceOf(NAMESPACE);

    private static TestPostgres server;

    @BeforeAll
    static void smallLockTable() {
        server = TestPostgres.embedded().setting("max_locks_per_transaction", "10").setting("max_connections", "20")
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aTakeoverOfMoreLocksThanTheTableHoldsSaysTheArithmeticAndTheSettingToRaise() throws Exception {
        String database = server.createDatabase("locktable");
        ConnectionSource source = DataSourceLocator.of(dataSource(server.url(database)), "small");
        NodeSessionStatements node = NodeSessionStatements.open(source, "node a", "a", LEASE, INTERVAL, false);
        try {
            List<Integer> keys = IntStream.rangeClosed(1, 5_000).boxed().toList();

            assertThatThrownBy(() -> node.tryAcquireAll(NAMESPACE, COMPANIONS, keys, Duration.ofSeconds(30)))
                    .isInstanceOf(SQLException.class)
                    .hasMessage("HL-0360: node 'a' could not take 5000 locks: PostgreSQL's shared lock table is full"
                            + " (SQLState 53200, out of shared memory). It holds max_locks_per_transaction ×"
                            + " (max_connections + max_prepared_transactions) = 10 × (20 + 0) = 200 locks for all"
                            + " sessions of the server together, and a cluster takes one per singleton (two while a"
                            + " node takes it), one per node and one per node's watcher, besides what the applications"
                            + " lock; raise max_locks_per_transaction (it takes a restart of the server) to at least"
                            + " 511, or run"
                            + " fewer singletons on this database. Retrying.")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("53200");
        } finally {
            node.abandon(); // the grants the failed statement made stay with the session until it ends
        }
    }

    @Test
    void aNodeWithMoreSingletonsThanFitLogsOneLineWithoutAStackTrace() throws Exception {
        String database = server.createDatabase("locktable");
        try (Connection filler = server.connect(database);
             LogRecorder log = LogRecorder.of("io.highlander.cdi")) {
            int room = 5; // the node's liveness lock and a few more: its ten singletons do not fit
            fillLockTableLeaving(filler, room);
            HighlanderSettings settings = HighlanderSettings.builder().nodeId("small").lease(LEASE)
                    .standbyInterval(INTERVAL).namespace(NAMESPACE).build();
            try (TestNode node = TestNode.start(settings, dataSource(server.url(database)), Map.of(),
                    First.class, Second.class, Third.class, Fourth.class, Fifth.class, Sixth.class, Seventh.class,
                    Eighth.class, Ninth.class, Tenth.class)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> lines(log, "HL-0360").size() >= 1);

                LogRecord line = lines(log, "HL-0360").get(0);
                // whichever statement found the table full (the takeover of ten locks, as a rule)
                assertThat(line.getMessage()).startsWith("HL-0360: node 'small' could not take ")
                        .contains(": PostgreSQL's shared lock table is full (SQLState 53200, out of shared memory). It"
                                + " holds max_locks_per_transaction × (max_connections + max_prepared_transactions) = 10"
                                + " × (20 + 0) = 200 locks for all sessions of the server together");
                assertThat(line.getThrown()).as("a stack trace").isNull();
                long sessions = sessions(filler);
                await().atMost(Duration.ofSeconds(30)).until(() -> sessions(filler) >= sessions + 3); // it retried

                assertThat(lines(log, "HL-0360")).as("HL-0360 lines after retries").hasSize(1);
                assertThat(lines(log, "HL-0403")).as("the generic connection-failure line").isEmpty();
            }
        }
    }

    /** Takes advisory locks on one session until the table is full, then lets the last {@code room} go. */
    private static void fillLockTableLeaving(Connection filler, int room) throws SQLException {
        int taken = 0;
        try (PreparedStatement lock = filler.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
            lock.setInt(1, 999);
            while (true) {
                lock.setInt(2, taken + 1);
                try {
                    lock.execute();
                    taken++;
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).as("what ends the filling").isEqualTo("53200");
                    break;
                }
            }
        }
        try (PreparedStatement unlock = filler.prepareStatement("SELECT pg_advisory_unlock(999, ?)")) {
            for (int i = 0; i < room; i++) {
                unlock.setInt(1, taken - i);
                unlock.execute();
            }
        }
    }

    /** @return the sessions the database has had so far (PostgreSQL 14's pg_stat_database.sessions) */
    private static long sessions(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT sessions FROM pg_stat_database"
                + " WHERE datname = current_database()"); java.sql.ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static List<LogRecord> lines(LogRecorder log, String id) {
        return log.records().stream().filter(r -> r.getMessage() != null && r.getMessage().startsWith(id)).toList();
    }

    private static PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(server.user());
        if (server.password() != null) {
            dataSource.setPassword(server.password());
        }
        return dataSource;
    }

    @ApplicationScoped @ClusterSingleton("first") static class First { }
    @ApplicationScoped @ClusterSingleton("second") static class Second { }
    @ApplicationScoped @ClusterSingleton("third") static class Third { }
    @ApplicationScoped @ClusterSingleton("fourth") static class Fourth { }
    @ApplicationScoped @ClusterSingleton("fifth") static class Fifth { }
    @ApplicationScoped @ClusterSingleton("sixth") static class Sixth { }
    @ApplicationScoped @ClusterSingleton("seventh") static class Seventh { }
    @ApplicationScoped @ClusterSingleton("eighth") static class Eighth { }
    @ApplicationScoped @ClusterSingleton("ninth") static class Ninth { }
    @ApplicationScoped @ClusterSingleton("tenth") static class Tenth { }
}
