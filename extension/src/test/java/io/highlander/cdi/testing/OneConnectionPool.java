package io.highlander.cdi.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A connection pool reduced to what matters here: {@code close()} hands the physical connection back
 * instead of closing it, and {@code abort()} destroys it, as real pools do. With {@code backends > 1} it
 * instead behaves like a pooler in transaction mode: every statement may run on another backend.
 */
public final class OneConnectionPool {

    private final List<Connection> physical;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger aborted = new AtomicInteger();

    private OneConnectionPool(List<Connection> physical) {
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
        return new OneConnectionPool(List.of(connections));
    }

    /** @return the physical connection a session pool hands out */
    public Connection physical() {
        return physical.get(0);
    }

    /** @return how often a borrower aborted its connection */
    public int aborts() {
        return aborted.get();
    }

    /** @return a connection borrowed from the pool */
    public Connection borrow() {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            return null; // back to the pool, as it is
                        case "abort":
                            aborted.incrementAndGet();
                            return null;
                        default:
                            Connection target = method.getName().startsWith("prepare") || method.getName().equals("createStatement")
                                    ? physical.get(Math.floorMod(next.getAndIncrement(), physical.size()))
                                    : physical.get(0);
                            try {
                                return method.invoke(target, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }

    /** Closes the physical connections. */
    public void shutdown() {
        for (Connection connection : physical) {
            try {
                connection.close();
            } catch (SQLException e) {
                // test clean-up
            }
        }
    }
}
