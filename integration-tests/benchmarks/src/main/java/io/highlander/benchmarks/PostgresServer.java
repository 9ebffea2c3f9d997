package io.highlander.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL the benchmark runs against: an external server if {@code HIGHLANDER_TEST_JDBC_URL} is set
 * (with {@code HIGHLANDER_TEST_USER}/{@code _PASSWORD}), else an embedded one (zonky, PostgreSQL 14) started
 * here with {@code pg_stat_statements} preloaded, so that statements per node can be counted on the server.
 */
final class PostgresServer implements AutoCloseable {

    private final String kind;
    private final String baseUrl; // ends with '/', database name follows
    private final String user;
    private final String password;
    private final EmbeddedPostgres embedded;
    private int databases;

    private PostgresServer(String kind, String baseUrl, String user, String password, EmbeddedPostgres embedded) {
        this.kind = kind;
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    static PostgresServer start() throws IOException {
        String external = System.getenv("HIGHLANDER_TEST_JDBC_URL");
        if (external != null && !external.isBlank()) {
            String base = external.substring(0, external.lastIndexOf('/') + 1);
            return new PostgresServer("external", base, System.getenv("HIGHLANDER_TEST_USER"),
                    System.getenv("HIGHLANDER_TEST_PASSWORD"), null);
        }
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all")
                .setServerConfig("max_connections", "400")
                .start();
        return new PostgresServer("embedded (zonky)", "jdbc:postgresql://localhost:" + postgres.getPort() + "/",
                "postgres", null, postgres);
    }

    /**
     * A separate embedded server for one part of the benchmark, whatever the main server is: started with
     * {@code pg_stat_statements} and the given settings (e.g. {@code max_connections = 100}), stopped by
     * {@link #close()}. Values must not contain spaces (zonky passes them through {@code pg_ctl -o}).
     */
    static PostgresServer embedded(java.util.Map<String, String> settings) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all");
        settings.forEach(builder::setServerConfig);
        EmbeddedPostgres postgres = builder.start();
        return new PostgresServer("embedded (zonky)", "jdbc:postgresql://localhost:" + postgres.getPort() + "/",
                "postgres", null, postgres);
    }

    String kind() {
        return kind;
    }

    String user() {
        return user;
    }

    String password() {
        return password == null ? "" : password;
    }

    String url(String database) {
        return baseUrl + database;
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), user, password);
    }

    /** @return a fresh database (advisory locks are per database), with pg_stat_statements if available */
    String newDatabase(String label) throws SQLException {
        String name = "hl_bench_" + ProcessHandle.current().pid() + "_" + (++databases) + "_" + label;
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name); // a name we made, never user input
        }
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
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
