package io.highlander.cdi.internal.lock;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * pgjdbc's {@code PGConnection.getNotifications(int timeoutMillis)}, reached by reflection: the library has no
 * dependency on the driver. The call waits in a socket read without sending anything, so the server ending the
 * session (a {@code pg_terminate_backend}, a restart, {@code idle_session_timeout}) ends it at once with an error
 * (4–7 ms measured, PG-SEMANTICS §5c), where a heartbeat would only see it at its next turn.
 *
 * <p>How the driver's connection is found under a pool's handle, in order: the handle itself if it is one; the
 * connection {@code unwrap(Connection)} answers (HikariCP's answer is the driver's); the connection the
 * handle's {@code getMetaData()} belongs to (IronJacamar hands out the driver's own metadata, whose
 * {@code getConnection()} is the driver's connection, while its {@code unwrap} cannot be asked for pgjdbc's
 * interface: neither the handle's module nor the application sees the driver's classes); {@code unwrap(PGConnection)}
 * with that interface loaded by the handle's, the context's, the driver's or the metadata's class loader, or the
 * loader of an {@code SQLXML} the driver made (Open Liberty and Payara unwrap to vendor interfaces; Liberty's
 * driver library is seen by none of the others). Nothing found: {@link #of} is empty and the node falls back to
 * heartbeats alone.
 */
final class Notifications {

    private static final String PG_CONNECTION = "org.postgresql.PGConnection";

    private final Object driverConnection;
    private final Method getNotifications;
    private final Method getParameter;
    private final Method getPid;

    private Notifications(Object driverConnection, Method getNotifications) throws NoSuchMethodException {
        this.driverConnection = driverConnection;
        this.getNotifications = getNotifications;
        this.getParameter = getNotifications.getReturnType().getComponentType().getMethod("getParameter");
        this.getPid = getNotifications.getReturnType().getComponentType().getMethod("getPID");
    }

    /**
     * @param connection a connection, perhaps a pool's handle
     * @return the socket wait on it, if the driver underneath is pgjdbc and can be reached
     */
    static Optional<Notifications> of(Connection connection) {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        loaders.add(connection.getClass().getClassLoader());
        loaders.add(Thread.currentThread().getContextClassLoader());
        Connection underneath = unwrapToConnection(connection);
        if (underneath != null) {
            loaders.add(underneath.getClass().getClassLoader());
        }
        loaders.add(driversClassLoader(connection));
        DatabaseMetaData metaData = metaData(connection);
        Connection behindMetaData = null;
        if (metaData != null) {
            loaders.add(metaData.getClass().getClassLoader());
            behindMetaData = connectionOf(metaData);
        }
        loaders.remove(null);
        for (Object candidate : new Object[] {connection, underneath, behindMetaData}) {
            Optional<Notifications> found = direct(candidate);
            if (found.isPresent()) {
                return found;
            }
        }
        for (ClassLoader loader : loaders) {
            try {
                Class<?> pgConnection = Class.forName(PG_CONNECTION, false, loader);
                if (connection.isWrapperFor(pgConnection)) {
                    Object unwrapped = connection.unwrap(pgConnection);
                    return Optional.of(new Notifications(unwrapped,
                            pgConnection.getMethod("getNotifications", int.class)));
                }
            } catch (ClassNotFoundException | LinkageError | SQLException | NoSuchMethodException
                     | RuntimeException e) {
                // not this loader
            }
        }
        return Optional.empty();
    }

    /** @return the socket wait if {@code candidate} implements pgjdbc's interface itself */
    private static Optional<Notifications> direct(Object candidate) {
        if (candidate == null) {
            return Optional.empty();
        }
        for (Class<?> type = candidate.getClass(); type != null; type = type.getSuperclass()) {
            Class<?> contract = pgConnectionAmong(type.getInterfaces());
            if (contract != null) {
                try {
                    return Optional.of(new Notifications(candidate, contract.getMethod("getNotifications", int.class)));
                } catch (NoSuchMethodException | RuntimeException e) {
                    return Optional.empty(); // a pgjdbc older than 9.4.1210
                }
            }
        }
        return Optional.empty();
    }

    /** @return pgjdbc's interface among these or the interfaces they extend (PgConnection implements BaseConnection) */
    private static Class<?> pgConnectionAmong(Class<?>[] contracts) {
        for (Class<?> contract : contracts) {
            Class<?> found = contract.getName().equals(PG_CONNECTION) ? contract
                    : pgConnectionAmong(contract.getInterfaces());
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static Connection unwrapToConnection(Connection connection) {
        try {
            Connection underneath = connection.unwrap(Connection.class);
            return underneath == connection ? null : underneath;
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return null;
        }
    }

    /**
     * @return the class loader of an object the driver makes for the handle without a round trip and that pools
     *         pass through unwrapped (an {@code SQLXML}), null if none: Open Liberty keeps the driver in a library
     *         of its own, which neither its handles' nor the application's class loader sees, and its
     *         {@code unwrap} answers for pgjdbc's interface only as that library loads it
     */
    private static ClassLoader driversClassLoader(Connection connection) {
        try {
            SQLXML probe = connection.createSQLXML();
            try {
                return probe.getClass().getClassLoader();
            } finally {
                probe.free();
            }
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return null;
        }
    }

    /** @return the handle's metadata, null if it has none: no round trip in pgjdbc (a local object) */
    private static DatabaseMetaData metaData(Connection connection) {
        try {
            return connection.getMetaData();
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return null;
        }
    }

    private static Connection connectionOf(DatabaseMetaData metaData) {
        try {
            return metaData.getConnection();
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return null;
        }
    }

    /**
     * @param millis the longest wait, at least 1 (0 would mean forever)
     * @return the notices of ours that came ({@link Notice#parse}; foreign payloads are dropped), with their
     *         senders' backend PIDs; empty if none
     * @throws SQLException if the session is gone
     */
    List<Notice.Heard> await(int millis) throws SQLException {
        Object[] received;
        try {
            received = (Object[]) getNotifications.invoke(driverConnection, millis);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("getNotifications failed: " + e.getCause(), "08006", e.getCause());
        } catch (IllegalAccessException | RuntimeException e) {
            throw new SQLException("getNotifications failed: " + e, "08006", e);
        }
        List<Notice.Heard> heard = new ArrayList<>();
        if (received != null) {
            for (Object notice : received) {
                try {
                    String payload = String.valueOf(getParameter.invoke(notice));
                    int pid = (Integer) getPid.invoke(notice);
                    Notice.parse(payload).ifPresent(parsed -> heard.add(new Notice.Heard(parsed, pid)));
                } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                    // not readable: as good as not sent (every notice is a hint; the safety net covers it)
                }
            }
        }
        return heard;
    }
}
