package io.highlander.example.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DatabaseTest {

    private static final String URL = "jdbc:postgresql://db.example:5432/app?password=s3cret";

    @Test
    void aWrongPasswordIsNamedWithoutShowingIt() {
        String message = Database.describe(new SQLException(
                "FATAL: password authentication failed for user \"app\"", "28P01"), URL);

        assertThat(message).startsWith("PostgreSQL at jdbc:postgresql://db.example:5432/app?password=**** rejected the password")
                .doesNotContain("s3cret").doesNotContain("\n");
    }

    @Test
    void aRefusedConnectionSaysTheServerIsNotReachable() {
        SQLException refused = new SQLException("Connection to db.example:5432 refused.", "08001",
                new ConnectException("Connection refused"));

        assertThat(Database.describe(refused, URL)).startsWith("cannot reach PostgreSQL at").contains("connection refused");
    }

    @Test
    void aMissingDatabaseIsNamed() {
        assertThat(Database.describe(new SQLException("FATAL: database \"app\" does not exist", "3D000"), URL))
                .endsWith(": database \"app\" does not exist");
    }

    @Test
    void onlyPostgresUrlsAreAccepted() {
        assertThatThrownBy(() -> Database.external("jdbc:mysql://localhost/app?password=x", null, null))
                .isInstanceOf(DemoException.class)
                .hasMessage("--jdbc-url must start with jdbc:postgresql: (Highlander needs PostgreSQL), got"
                        + " jdbc:mysql://localhost/app?password=****");
    }
}
