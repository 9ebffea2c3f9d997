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
     * @param note  what the application saw of its transaction
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void fenced(long token, int pid, String note) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO fenced_backends (node, token, pid,"
                        + " backend_start, note) SELECT ?, ?, pid, backend_start, ? || ', written on backend '"
                        + " || pg_backend_pid() FROM pg_stat_activity WHERE pid = ?")) {
            insert.setString(1, node());
            insert.setLong(2, token);
            insert.setString(3, note);
            insert.setInt(4, pid);
            insert.executeUpdate();
        } catch (SQLException | NamingException e) {
            throw new IllegalStateException("cannot record the fenced backend " + pid, e);
        }
    }

    /**
     * Records that a term began here, and how many transactions fenced by other nodes were open at that moment: their
     * backends still hold their virtual transaction id's lock, which a transaction holds from its start to its end
     * (a backend the server ends lets its locks go before it leaves pg_stat_activity).
     *
     * @param token the new term's token
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void termBegan(long token) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO terms (node, token, began,"
                        + " others_fenced_open) SELECT ?, ?, clock_timestamp(), count(l.pid) FROM fenced_backends f"
                        + " JOIN pg_stat_activity a ON a.pid = f.pid AND a.backend_start = f.backend_start"
                        + " LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'virtualxid'"
                        + " WHERE f.node <> ?")) {
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
