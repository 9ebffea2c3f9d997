package io.highlander.benchmarks;

import io.highlander.cdi.testing.PostgresControl;
import io.highlander.cdi.testing.TestPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The PostgreSQL the benchmark runs against: an external server if {@code HIGHLANDER_TEST_JDBC_URL} is set
 * (with {@code HIGHLANDER_TEST_USER}/{@code _PASSWORD}), else an embedded one (zonky, PostgreSQL 14) started
 * here with {@code pg_stat_statements} preloaded, so that statements per node can be counted on the server.
 * The server itself is the tests' {@link TestPostgres}; what is the benchmark's own here is per-node roles and
 * statement counts.
 */
final class PostgresServer implements AutoCloseable {

    private final TestPostgres postgres;

    private PostgresServer(TestPostgres postgres) {
        this.postgres = postgres;
    }

    static PostgresServer start() {
        return new PostgresServer(TestPostgres.external().orElseGet(() -> withStatements(Map.of("max_connections", "400"))));
    }

    /**
     * A separate embedded server for one part of the benchmark, whatever the main server is: started with
     * {@code pg_stat_statements} and the given settings (e.g. {@code max_connections = 100}), stopped by
     * {@link #close()}. Values must not contain spaces (zonky passes them through {@code pg_ctl -o}).
     */
    static PostgresServer embedded(Map<String, String> settings) {
        return new PostgresServer(withStatements(settings));
    }

    private static TestPostgres withStatements(Map<String, String> settings) {
        return TestPostgres.embedded()
                .setting("shared_preload_libraries", "pg_stat_statements")
                .setting("pg_stat_statements.track", "all")
                .settings(settings)
                .start();
    }

    /** @return fast restarts of this server, which must be one of the benchmark's embedded servers */
    PostgresControl control() throws SQLException, IOException {
        return PostgresControl.of(postgres);
    }

    String kind() {
        return postgres.isEmbedded() ? "embedded (zonky)" : postgres.kind();
    }

    String user() {
        return postgres.user();
    }

    String password() {
        return postgres.password() == null ? "" : postgres.password();
    }

    /** @return the database's URL without parameters: a user in it would win over a node's per-slot role */
    String url(String database) {
        String url = postgres.url(database);
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    Connection connect(String database) throws SQLException {
        return postgres.connect(database);
    }

    /** @return a fresh database (advisory locks are per database), with pg_stat_statements if available */
    String newDatabase(String label) throws SQLException {
        String name = postgres.createDatabase("hl_bench_" + label);
        try (Connection connection = connect(name); Statement statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        } catch (SQLException e) {
            // no pg_stat_statements on this server: statement counts fall back to the client side
        }
        return name;
    }

    /**
     * Creates one login role per node slot, so that pg_stat_statements (keyed by role) counts each node
     * apart. Roles may read all stats, as the library's {@code leader()} needs to see other nodes' sessions.
     *
     * @return whether per-node roles are available
     */
    boolean ensureRoles(int count) {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            for (int i = 1; i <= count; i++) {
                String role = role(i);
                try (ResultSet row = statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
                    if (row.next()) {
                        continue;
                    }
                }
                statement.execute("CREATE ROLE " + role + " LOGIN");
                statement.execute("GRANT pg_read_all_stats TO " + role);
            }
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    static String role(int slot) {
        return "hl_bench_n" + slot;
    }

    boolean hasStatStatements(String database) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_stat_statements")) {
            return row.next();
        } catch (SQLException e) {
            return false;
        }
    }

    String version() {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT version()")) {
            row.next();
            return row.getString(1);
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        postgres.close();
    }
}
