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
 *   <li>{@code close()} on a handle gives the physical connection back as it is, without resetting anything
 *       (not even the network timeout, as IronJacamar does), and gives the slot back;</li>
 *   <li>{@code abort()} on a handle destroys the physical connection (the next borrower gets a new one), and
 *       the handle still has to be closed to give the slot back;</li>
 *   <li>with {@code backends > 1} it behaves like a pooler in transaction mode: every statement may run on
 *       another backend.</li>
 * </ul>
 */
public final class OneConnectionPool {

    private final DataSource dataSource;
    private final Connection[] physical;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger aborted = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();

    private OneConnectionPool(DataSource dataSource, Connection[] physical) {
        this.dataSource = dataSource;
        this.physical = physical;
    }

    /**
     * @param dataSource where the physical connections come from
     * @param backends   1 for a session pool, more to imitate a transaction-mode pooler
     * @return the pool
     * @throws SQLException if a connection cannot be opened
     */
    public static OneConnectionPool over(DataSource dataSource, int backends) throws SQLException {
        Connection[] connections = new Connection[backends];
        for (int i = 0; i < backends; i++) {
            connections[i] = dataSource.getConnection();
        }
        return new OneConnectionPool(dataSource, connections);
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
                                outstanding.decrementAndGet(); // back to the pool, as it is
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
}
