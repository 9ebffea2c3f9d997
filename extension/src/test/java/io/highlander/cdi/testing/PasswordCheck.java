package io.highlander.cdi.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the test server check one role's password (the embedded server trusts everyone otherwise), by
 * putting a scram-sha-256 line for that role first in pg_hba.conf. Other roles stay trusted.
 */
public final class PasswordCheck {

    private PasswordCheck() {
    }

    /**
     * @param postgres the test server (it must be one whose files this JVM may change)
     * @param role     a role name made by the test, never user input
     * @param password its password
     * @throws Exception if the server cannot be changed
     */
    public static synchronized void requirePasswordFor(TestPostgres postgres, String role, String password) throws Exception {
        try (Connection connection = postgres.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SET password_encryption = 'scram-sha-256'");
            try (ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
                if (!exists.next()) {
                    statement.execute("CREATE ROLE " + role + " LOGIN");
                }
            }
            try (PreparedStatement setPassword = connection.prepareStatement("SELECT format('ALTER ROLE %I PASSWORD %L', ?::text, ?::text)")) {
                setPassword.setString(1, role);
                setPassword.setString(2, password);
                try (ResultSet sql = setPassword.executeQuery()) {
                    sql.next();
                    statement.execute(sql.getString(1));
                }
            }
            Path hba;
            try (ResultSet file = statement.executeQuery("SHOW hba_file")) {
                file.next();
                hba = Path.of(file.getString(1));
            }
            List<String> lines = new ArrayList<>(Files.readAllLines(hba));
            String rule = "host all " + role + " 127.0.0.1/32 scram-sha-256";
            if (!lines.contains(rule)) {
                lines.add(0, "local all " + role + " scram-sha-256");
                lines.add(0, "host all " + role + " ::1/128 scram-sha-256");
                lines.add(0, rule);
                Files.write(hba, lines);
                statement.execute("SELECT pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot make the test server check passwords", e);
        }
    }
}
