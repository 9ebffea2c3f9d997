package io.highlander.it.appservers.fenced;

import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.naming.NamingException;

/**
 * A leader's write in a container-managed JTA transaction, fenced by the singleton's term: it writes a row, records
 * its backend, and keeps its connection handle open while it waits for the test, as work in progress does.
 */
@ApplicationScoped
public class Writer {

    @Inject
    @OfSingleton(Ledger.NAME)
    Leadership leadership;
    @Inject
    Journal journal;
    @Inject
    Hold hold;

    /**
     * @return the token the write was fenced with; the transaction commits when this returns
     * @throws IllegalStateException if the test never let it go on
     */
    @Transactional
    public long writeAndWait() throws SQLException, NamingException {
        try (Connection connection = Journal.dataSource().getConnection()) {
            long token = leadership.fence(connection);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO fenced_writes (node, token) VALUES (?, ?)")) {
                insert.setString(1, System.getProperty("highlander.node-id"));
                insert.setLong(2, token);
                insert.executeUpdate();
            }
            journal.fenced(token, backend(connection));
            if (!hold.await()) {
                throw new IllegalStateException("the test never let the fenced transaction go on");
            }
            return token;
        }
    }

    private static int backend(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT pg_backend_pid()");
                ResultSet row = select.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }
}
