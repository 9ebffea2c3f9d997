package io.highlander.it.appservers.scheduled;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Writes each firing to the table {@code firings} (created by the test), through the server's DataSource (the one
 * the library uses, {@code highlander.datasource.jndi}). The write is fenced as a downstream system would fence it:
 * it goes in only if no later term has written yet.
 */
@ApplicationScoped
public class FiringLog {

    private static final String INSERT = "INSERT INTO firings (node, second, token) SELECT ?, ?, ? "
            + "WHERE ? >= (SELECT coalesce(max(token), 0) FROM firings)";

    /**
     * @param token the fencing token of the term the firing ran in
     */
    public void record(long token) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, System.getProperty("highlander.node-id"));
            insert.setLong(2, Instant.now().getEpochSecond()); // the schedule fires once a second, on the second
            insert.setLong(3, token);
            insert.setLong(4, token);
            insert.executeUpdate();
        } catch (SQLException | NamingException e) {
            throw new IllegalStateException("cannot record the firing with token " + token, e);
        }
    }

    private static DataSource dataSource() throws NamingException {
        return InitialContext.doLookup(System.getProperty("highlander.datasource.jndi"));
    }
}
