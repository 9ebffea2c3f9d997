package io.highlander.cdi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The shared server: fresh databases, URLs on it, and a name that could carry SQL refused. */
class TestPostgresTest {

    private final TestPostgres postgres = TestPostgres.shared();

    @Test
    void aNewDatabaseIsEmptyAndReachableThroughItsUrl() throws Exception {
        String url = postgres.newDatabase();
        try (Connection connection = DriverManager.getConnection(url, postgres.user(), postgres.password());
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_database(), "
                     + "(SELECT count(*) FROM pg_tables WHERE schemaname = 'public')")) {
            row.next();
            assertThat(url).isEqualTo(postgres.url(row.getString(1)));
            assertThat(row.getInt(2)).isZero();
        }
    }

    @Test
    void twoNewDatabasesDiffer() {
        assertThat(postgres.createDatabase("hl_fixture")).isNotEqualTo(postgres.createDatabase("hl_fixture"));
    }

    @Test
    void aPrefixThatIsNoPlainIdentifierIsRefused() {
        assertThatThrownBy(() -> postgres.createDatabase("x; DROP DATABASE postgres"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower-case identifier");
    }

    @Test
    void closingTheSharedServerLeavesItRunning() throws Exception {
        postgres.close();
        try (Connection connection = postgres.connect("postgres")) {
            assertThat(connection.isValid(5)).isTrue();
        }
    }
}
