package io.highlander.it.appservers.fenced;

import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import javax.naming.InitialContext;
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
    @Resource
    ManagedExecutorService executor;

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
            int backend = backend(connection);
            String transaction = transaction();
            // from another thread: on Payara's non-XA pool a REQUIRES_NEW transaction on this thread is lent this
            // suspended transaction's physical connection, and its commit would commit the fenced work early
            CompletableFuture.runAsync(() -> journal.fenced(token, backend, transaction), executor).join();
            if (!hold.await()) {
                throw new IllegalStateException("the test never let the fenced transaction go on");
            }
            return token;
        }
    }

    /** @return the JTA status of the calling thread's transaction, for the record */
    private static String transaction() {
        try {
            TransactionSynchronizationRegistry registry = InitialContext.doLookup(
                    "java:comp/TransactionSynchronizationRegistry");
            return "jta status " + registry.getTransactionStatus() + ", key " + registry.getTransactionKey();
        } catch (NamingException e) {
            return "no registry: " + e;
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
