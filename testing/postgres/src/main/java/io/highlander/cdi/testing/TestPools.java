package io.highlander.cdi.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Real HikariCP pools on a fresh database of a test's own, logging in as the server's user or as plain roles (no
 * superuser) made for the test, and what a test asks of a physical connection (its advisory locks, its settings).
 * Closing it closes its pools and drops its roles. Needs HikariCP on the class path (the module has it as an
 * optional dependency: add it where this is used).
 */
public final class TestPools implements AutoCloseable {

    private static final AtomicInteger ROLES = new AtomicInteger();
    private static final String PASSWORD = "hl-pool-test";
    // a role's settings go into ALTER ROLE text: only a test's own constants of this shape are accepted
    private static final Pattern ROLE_SETTING = Pattern.compile("SET [a-z_]+ = [0-9A-Za-z_']+");

    private final TestPostgres postgres;
    private final String url;
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();

    /**
     * Creates a fresh database on the server.
     *
     * @param postgres the server
     */
    public TestPools(TestPostgres postgres) {
        this.postgres = postgres;
        this.url = postgres.newDatabase();
    }

    /** @return the test database's JDBC URL */
    public String url() {
        return url;
    }

    /**
     * Creates a plain role (no superuser) that may log in to the test's database.
     *
     * @param settings e.g. {@code "SET statement_timeout = '100ms'"}, each applied with {@code ALTER ROLE}
     * @return its name
     * @throws SQLException if it cannot be created
     */
    public String role(String... settings) throws SQLException {
        String role = "hl_pool_" + ProcessHandle.current().pid() + "_" + ROLES.incrementAndGet();
        try (Connection admin = postgres.dataSource(url).getConnection(); Statement statement = admin.createStatement()) {
            // the name is ours; each setting is a test's constant, checked against a narrow shape
            statement.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "'");
            for (String setting : settings) {
                if (!ROLE_SETTING.matcher(setting).matches()) {
                    throw new IllegalArgumentException("a role setting reads SET name = value, got " + setting);
                }
                statement.execute("ALTER ROLE " + role + " " + setting);
            }
        }
        roles.add(role);
        return role;
    }

    /**
     * @param maximumSize its maximum pool size
     * @return a HikariCP pool of the server's own user
     */
    public HikariDataSource pool(int maximumSize) {
        return pool(maximumSize, null, config -> config);
    }

    /**
     * @param maximumSize its maximum pool size
     * @param role        the role it logs in as, or {@code null} for the server's user
     * @param tweak       further settings
     * @return a HikariCP pool on the test's database, closed with this fixture
     */
    public HikariDataSource pool(int maximumSize, String role, UnaryOperator<HikariConfig> tweak) {
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

    /**
     * @param connection a connection
     * @return the number of advisory locks (granted or awaited) the connection's backend has
     * @throws SQLException if it cannot be asked
     */
    public static int advisoryLocksOf(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    /**
     * @param connection a connection
     * @param name       a setting's name
     * @return its value in its base unit (e.g. milliseconds), as {@code pg_settings} has it, or {@code null}
     * @throws SQLException if it cannot be asked
     */
    public static String setting(Connection connection, String name) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT setting FROM pg_settings WHERE name = ?")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    /** Closes the pools and drops the roles. */
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
