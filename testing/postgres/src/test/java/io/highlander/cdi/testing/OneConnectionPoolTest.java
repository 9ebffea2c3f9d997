package io.highlander.cdi.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool double against the real thing: one borrower changes everything a borrower can change (JDBC state, a
 * session setting, an advisory lock, an uncommitted row); the next borrower of the same physical connection looks.
 * With {@link OneConnectionPool.Return#RESET} it must see what it sees after HikariCP; with
 * {@link OneConnectionPool.Return#AS_IS}, everything the first one left.
 */
class OneConnectionPoolTest {

    private final TestPools pools = new TestPools(TestPostgres.shared());
    private OneConnectionPool double1;

    /** What the next borrower sees. */
    record Seen(boolean autoCommit, int isolation, int networkTimeout, String applicationName, int advisoryLocks,
                long rowsItSees) {
    }

    @AfterEach
    void close() {
        if (double1 != null) {
            double1.shutdown();
        }
        pools.close();
    }

    @Test
    void theResettingDoubleLeavesWhatHikariCpLeaves() throws Exception {
        HikariDataSource hikari = pools.pool(1);
        createTable(hikari);
        Seen afterHikari = dirtyThenLook(hikari::getConnection);

        double1 = OneConnectionPool.over(TestPostgres.shared().dataSource(pools.url()), 1,
                OneConnectionPool.Return.RESET);
        Seen afterDouble = dirtyThenLook(double1::borrow);

        assertThat(afterDouble).isEqualTo(afterHikari);
        assertThat(afterHikari).as("HikariCP resets JDBC state, not the session's")
                .isEqualTo(new Seen(true, Connection.TRANSACTION_READ_COMMITTED, 0, "dirty", 1, 0));
    }

    @Test
    void theAsIsDoubleLeavesEverything() throws Exception {
        HikariDataSource hikari = pools.pool(1);
        createTable(hikari);
        double1 = OneConnectionPool.over(TestPostgres.shared().dataSource(pools.url()), 1);

        assertThat(dirtyThenLook(double1::borrow))
                .isEqualTo(new Seen(false, Connection.TRANSACTION_SERIALIZABLE, 1234, "dirty", 1, 1));
    }

    private interface Borrow {
        Connection get() throws SQLException;
    }

    private static void createTable(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS left_behind (id int)");
        }
    }

    private static Seen dirtyThenLook(Borrow borrow) throws SQLException {
        try (Connection first = borrow.get(); Statement statement = first.createStatement()) {
            statement.execute("SET application_name = 'dirty'");
            statement.execute("SELECT pg_advisory_lock(1)");
            first.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            first.setNetworkTimeout(Runnable::run, 1234);
            first.setAutoCommit(false);
            statement.execute("INSERT INTO left_behind VALUES (1)");
        }
        try (Connection next = borrow.get(); Statement statement = next.createStatement()) {
            Seen seen = new Seen(next.getAutoCommit(), next.getTransactionIsolation(), next.getNetworkTimeout(),
                    single(statement, "SHOW application_name"), TestPools.advisoryLocksOf(next),
                    Long.parseLong(single(statement, "SELECT count(*) FROM left_behind")));
            // leave the server clean for the other pool: this test's own lock and row
            if (!next.getAutoCommit()) {
                next.rollback();
                next.setAutoCommit(true);
            }
            statement.execute("SELECT pg_advisory_unlock_all()");
            statement.execute("RESET application_name");
            return seen;
        }
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
