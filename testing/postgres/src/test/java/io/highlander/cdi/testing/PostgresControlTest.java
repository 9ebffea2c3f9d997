package io.highlander.cdi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Restarts and crashes of an embedded server of the test's own: the sessions of before end, the server comes back
 * on the same port with the same settings and data, and what was committed survives a crash.
 */
class PostgresControlTest {

    private TestPostgres postgres;

    @AfterEach
    void stopServer() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aFastRestartEndsEverySessionAndKeepsPortAndSettings() throws Exception {
        postgres = TestPostgres.embedded().setting("max_connections", "42").start();
        PostgresControl control = PostgresControl.of(postgres);
        try (Connection before = postgres.connect("postgres")) {
            control.stop(PostgresControl.Shutdown.FAST);
            assertThatThrownBy(() -> query(before, "SELECT 1")).isInstanceOf(SQLException.class);
        }
        long launched = control.start();
        assertThat(launched).isPositive();
        try (Connection after = postgres.connect("postgres")) {
            assertThat(query(after, "SHOW max_connections")).isEqualTo("42");
        }
    }

    @Test
    void anImmediateStopIsACrashThatKeepsWhatWasCommitted() throws Exception {
        postgres = TestPostgres.embedded().start();
        PostgresControl control = PostgresControl.of(postgres);
        try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (id int)");
            statement.execute("INSERT INTO kept VALUES (7)");
            statement.execute("CHECKPOINT"); // zonky runs with fsync off: only a checkpoint makes it durable
        }
        control.stop(PostgresControl.Shutdown.IMMEDIATE);
        control.start();
        try (Connection connection = postgres.connect("postgres")) {
            assertThat(query(connection, "SELECT id FROM kept")).isEqualTo("7");
        }
    }

    @Test
    void ensureRunningStartsAServerLeftStopped() throws Exception {
        postgres = TestPostgres.embedded().start();
        PostgresControl control = PostgresControl.of(postgres);
        control.stop(PostgresControl.Shutdown.FAST);
        control.ensureRunning();
        try (Connection connection = postgres.connect("postgres")) {
            assertThat(query(connection, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void onlyAnEmbeddedServerCanBeControlled() {
        TestPostgres elsewhere = TestPostgres.external().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(elsewhere != null, "needs HIGHLANDER_TEST_JDBC_URL");
        assertThatThrownBy(() -> PostgresControl.of(elsewhere)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only an embedded server can be restarted");
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
