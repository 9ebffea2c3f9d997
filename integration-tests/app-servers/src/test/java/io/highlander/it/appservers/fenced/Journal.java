package io.highlander.it.appservers.fenced;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * What the application records for the test, each in a transaction of its own (so that it is visible whatever
 * happens to the fenced one): the backend of a fenced transaction, and each term's beginning.
 */
@ApplicationScoped
public class Journal {

    /**
     * @param token the token the transaction was fenced with
     * @param pid   the PostgreSQL backend it runs on
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void fenced(long token, int pid) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO fenced_backends (node, token, pid,"
                        + " backend_start) SELECT ?, ?, pid, backend_start FROM pg_stat_activity WHERE pid = ?")) {
            insert.setString(1, node());
            insert.setLong(2, token);
            insert.setInt(3, pid);
            insert.executeUpdate();
        } catch (SQLException | NamingException e) {
            throw new IllegalStateException("cannot record the fenced backend " + pid, e);
        }
    }

    /**
     * Records that a term began here, and how many transactions fenced by other nodes were open at that moment
     * (their backends still in a transaction).
     *
     * @param token the new term's token
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void termBegan(long token) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO terms (node, token, began,"
                        + " others_fenced_open) SELECT ?, ?, clock_timestamp(), count(a.pid) FROM fenced_backends f"
                        + " LEFT JOIN pg_stat_activity a ON a.pid = f.pid AND a.backend_start = f.backend_start"
                        + " AND a.xact_start IS NOT NULL WHERE f.node <> ?")) {
            insert.setString(1, node());
            insert.setLong(2, token);
            insert.setString(3, node());
            insert.executeUpdate();
        } catch (SQLException | NamingException e) {
            throw new IllegalStateException("cannot record the term " + token, e);
        }
    }

    static DataSource dataSource() throws NamingException {
        return InitialContext.doLookup(System.getProperty("highlander.datasource.jndi"));
    }

    private static String node() {
        return System.getProperty("highlander.node-id");
    }
}
