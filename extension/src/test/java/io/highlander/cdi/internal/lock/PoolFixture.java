package io.highlander.cdi.internal.lock;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A test's database, roles and HikariCP pools on the shared test server, and what the tests ask of a physical
 * connection (its advisory locks, its settings). Closes its pools and drops its roles afterwards.
 */
final class PoolFixture implements AutoCloseable {

    private static final AtomicInteger ROLES = new AtomicInteger();
    private static final String PASSWORD = "hl-pool-test";

    private final TestPostgres postgres = TestPostgres.shared();
    private final String url = postgres.newDatabase();
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();

    /** @return the test database's JDBC URL */
    String url() {
        return url;
    }

    /**
     * Creates a plain role (no superuser) that may log in to the test's database.
     *
     * @param settings e.g. {@code "SET statement_timeout = '100ms'"}, each applied with {@code ALTER ROLE}
     * @return its name
     */
    String role(String... settings) throws SQLException {
        String role = "hl_pool_" + ProcessHandle.current().pid() + "_" + ROLES.incrementAndGet();
        try (Connection admin = postgres.dataSource(url).getConnection(); Statement statement = admin.createStatement()) {
            // names and settings are this test's own constants, never input
            statement.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "'");
            for (String setting : settings) {
                statement.execute("ALTER ROLE " + role + " " + setting);
            }
        }
        roles.add(role);
        return role;
    }

    /** @return a HikariCP pool of the test server's own user */
    HikariDataSource pool(int maximumSize) {
        return pool(maximumSize, null, config -> config);
    }

    /**
     * @param maximumSize its maximum pool size
     * @param role        the role it logs in as, or {@code null} for the test server's user
     * @param tweak       further settings
     * @return a HikariCP pool on the test's database
     */
    HikariDataSource pool(int maximumSize, String role, UnaryOperator<HikariConfig> tweak) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.replaceAll("([?&])user=[^&]*&?", "$1")); // a user in the URL would win over the role
        config.setUsername(role == null ? postgres.user() : role);
        config.setPassword(role == null ? postgres.password() : PASSWORD);
        config.setMaximumPoolSize(maximumSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(2000);
        config.setPoolName("hl-test-" + pools.size());
        HikariDataSource pool = new HikariDataSource(tweak.apply(config));
        pools.add(pool);
        return pool;
    }

    /** @return the number of advisory locks (granted or awaited) the connection's backend has */
    static int advisoryLocksOf(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    /** @return a setting's value in its base unit (e.g. milliseconds), as {@code pg_settings} has it */
    static String setting(Connection connection, String name) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT setting FROM pg_settings WHERE name = ?")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    /** A source that remembers the last connection it handed out, so that a test can look at it. */
    static final class Recording implements ConnectionSource {
        private final javax.sql.DataSource dataSource;
        private volatile Connection last;

        Recording(javax.sql.DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public Connection connect() throws SQLException {
            last = dataSource.getConnection();
            return last;
        }

        Connection last() {
            return last;
        }

        @Override
        public String description() {
            return "test pool";
        }
    }

    @Override
    public void close() {
        pools.forEach(HikariDataSource::close);
        try (Connection admin = postgres.dataSource().getConnection(); Statement statement = admin.createStatement()) {
            for (String role : roles) {
                statement.execute("DROP OWNED BY " + role);
                statement.execute("DROP ROLE " + role);
            }
        } catch (SQLException e) {
            // a role left behind in a throw-away test server
        }
    }
}
