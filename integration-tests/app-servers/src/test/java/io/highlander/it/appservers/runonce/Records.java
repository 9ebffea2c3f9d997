package io.highlander.it.appservers.runonce;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * What the application writes and reads in the tables the test created, through the server's DataSource (the one
 * the library uses): each firing, when it came and whether the node led then, each run, and the second the test chose for
 * the hand-over.
 */
@ApplicationScoped
public class Records {

    /** @return the second before which this node is to stop, once the test chose one and this node */
    public OptionalLong handOverAt() {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT at FROM handover WHERE node = ?")) {
            select.setString(1, System.getProperty("highlander.node-id"));
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException | NamingException e) {
            throw new IllegalStateException("cannot read the hand-over's second", e);
        }
    }

    /**
     * @param second  the second the timer fired for
     * @param leading whether this node led when it fired
     */
    public void fired(long second, boolean leading) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO firings (node, second, led, fired_ms) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, System.getProperty("highlander.node-id"));
            insert.setLong(2, second);
            insert.setInt(3, leading ? 1 : 0);
            insert.setLong(4, System.currentTimeMillis());
            insert.executeUpdate();
            commitIfOwn(connection);
        } catch (SQLException | NamingException e) {
            throw new IllegalStateException("cannot record the firing of " + second, e);
        }
    }

    /**
     * @param second the second the job ran for
     * @param token  the fencing token of the term it ran in
     */
    public void ran(long second, long token) {
        write("INSERT INTO runs (node, second, token) VALUES (?, ?, ?)", second, token);
    }

    private static void write(String sql, long first, long second) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.setString(1, System.getProperty("highlander.node-id"));
            insert.setLong(2, first);
            insert.setLong(3, second);
            insert.executeUpdate();
            commitIfOwn(connection);
        } catch (SQLException | NamingException e) {
            throw new IllegalStateException("cannot record " + first, e);
        }
    }

    /** Payara lends connections with autocommit off even outside a transaction: commit what was written. */
    private static void commitIfOwn(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }

    private static DataSource dataSource() throws NamingException {
        return InitialContext.doLookup(System.getProperty("highlander.datasource.jndi"));
    }
}
