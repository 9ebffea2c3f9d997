package io.highlander.cdi.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A connection pool reduced to what real pools do and a test must see, for the cases HikariCP cannot show:
 * <ul>
 *   <li>{@code close()} on a handle gives the physical connection back and the slot back: {@linkplain Return#AS_IS
 *       as it is}, without resetting anything (not even the network timeout, as IronJacamar does), or
 *       {@linkplain Return#RESET reset as HikariCP resets it};</li>
 *   <li>{@code abort()} on a handle destroys the physical connection (the next borrower gets a new one), and
 *       the handle still has to be closed to give the slot back;</li>
 *   <li>with {@code backends > 1} it behaves like a pooler in transaction mode: every statement may run on
 *       another backend.</li>
 * </ul>
 */
public final class OneConnectionPool {

    /** What {@code close()} on a handle does to the physical connection before the next borrower gets it. */
    public enum Return {
        /** Nothing: the next borrower gets it as the last one left it (IronJacamar). */
        AS_IS,
        /**
         * What HikariCP does: an open transaction is rolled back, and auto-commit, read-only, isolation, catalog,
         * schema and network timeout go back to the connection's first values; session settings ({@code SET}) and
         * session-level advisory locks stay, as HikariCP does not see them.
         */
        RESET
    }

    private final DataSource dataSource;
    private final Return returning;
    private final Connection[] physical;
    private final Baseline baseline;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger aborted = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();

    private OneConnectionPool(DataSource dataSource, Return returning, Connection[] physical) throws SQLException {
        this.dataSource = dataSource;
        this.returning = returning;
        this.physical = physical;
        this.baseline = Baseline.of(physical[0]);
    }

    /**
     * @param dataSource where the physical connections come from
     * @param backends   1 for a session pool, more to imitate a transaction-mode pooler
     * @return the pool
     * @throws SQLException if a connection cannot be opened
     */
    public static OneConnectionPool over(DataSource dataSource, int backends) throws SQLException {
        return over(dataSource, backends, Return.AS_IS);
    }

    /**
     * @param dataSource where the physical connections come from
     * @param backends   1 for a session pool, more to imitate a transaction-mode pooler
     * @param returning  what giving a handle back does to the physical connection
     * @return the pool
     * @throws SQLException if a connection cannot be opened
     */
    public static OneConnectionPool over(DataSource dataSource, int backends, Return returning) throws SQLException {
        Connection[] connections = new Connection[backends];
        for (int i = 0; i < backends; i++) {
            connections[i] = dataSource.getConnection();
        }
        return new OneConnectionPool(dataSource, returning, connections);
    }

    /** @return the physical connection a session pool hands out (a new one after an abort) */
    public synchronized Connection physical() {
        try {
            if (physical[0].isClosed()) {
                physical[0] = dataSource.getConnection();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return physical[0];
    }

    /** A pool opens a new physical connection in place of a destroyed one. */
    private synchronized void replace(Connection destroyed) throws SQLException {
        for (int i = 0; i < physical.length; i++) {
            if (physical[i] == destroyed) {
                destroyed.close(); // e.g. a handle of another pool underneath
                physical[i] = dataSource.getConnection();
            }
        }
    }

    /** @return how often a borrower aborted its connection */
    public int aborts() {
        return aborted.get();
    }

    /** @return how many handles were borrowed and not closed yet (slots not given back) */
    public int outstanding() {
        return outstanding.get();
    }

    /** @return a connection borrowed from the pool */
    public Connection borrow() {
        outstanding.incrementAndGet();
        AtomicBoolean closed = new AtomicBoolean();
        Connection bound = physical();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            if (closed.compareAndSet(false, true)) {
                                if (returning == Return.RESET && !bound.isClosed()) {
                                    baseline.restore(bound);
                                }
                                outstanding.decrementAndGet(); // back to the pool
                            }
                            return null;
                        case "isClosed":
                            return closed.get() || bound.isClosed();
                        case "abort":
                            aborted.incrementAndGet();
                            bound.abort((Executor) args[0]); // the physical connection is gone; the slot is not
                            replace(bound);
                            return null;
                        default:
                            if (closed.get()) {
                                throw new SQLException("This handle was closed", "08003");
                            }
                            Connection target = method.getName().startsWith("prepare") || method.getName().equals("createStatement")
                                    ? physical[Math.floorMod(next.getAndIncrement(), physical.length)]
                                    : bound;
                            try {
                                return method.invoke(target, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }

    /** Closes the physical connections. */
    public synchronized void shutdown() {
        for (Connection connection : physical) {
            try {
                connection.close();
            } catch (SQLException e) {
                // test clean-up
            }
        }
    }

    /** A physical connection's state as HikariCP records it when it opens one, and puts back on return. */
    private record Baseline(boolean autoCommit, boolean readOnly, int isolation, String catalog, String schema,
                            int networkTimeout) {

        static Baseline of(Connection connection) throws SQLException {
            return new Baseline(connection.getAutoCommit(), connection.isReadOnly(),
                    connection.getTransactionIsolation(), connection.getCatalog(), connection.getSchema(),
                    connection.getNetworkTimeout());
        }

        void restore(Connection connection) throws SQLException {
            if (!connection.getAutoCommit()) {
                connection.rollback(); // HikariCP rolls back what the borrower left uncommitted
            }
            if (connection.getAutoCommit() != autoCommit) {
                connection.setAutoCommit(autoCommit);
            }
            if (connection.isReadOnly() != readOnly) {
                connection.setReadOnly(readOnly);
            }
            if (connection.getTransactionIsolation() != isolation) {
                connection.setTransactionIsolation(isolation);
            }
            if (catalog != null && !catalog.equals(connection.getCatalog())) {
                connection.setCatalog(catalog);
            }
            if (schema != null && !schema.equals(connection.getSchema())) {
                connection.setSchema(schema);
            }
            if (connection.getNetworkTimeout() != networkTimeout) {
                connection.setNetworkTimeout(Runnable::run, networkTimeout);
            }
        }
    }
}
