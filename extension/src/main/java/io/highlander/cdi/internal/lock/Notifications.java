package io.highlander.cdi.internal.lock;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * pgjdbc's {@code PGConnection.getNotifications(int timeoutMillis)}, reached by reflection: the library has no
 * dependency on the driver. The call waits in a socket read without sending anything, so the server ending the
 * session (a {@code pg_terminate_backend}, a restart, {@code idle_session_timeout}) ends it at once with an error
 * (4–7 ms measured, PG-SEMANTICS §5c), where a heartbeat would only see it at its next turn. The driver's
 * connection under a pool's handle is found by {@link DriverConnections}; none found: {@link #of} is empty and the
 * node falls back to heartbeats alone.
 */
final class Notifications {

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
        return DriverConnections.under(connection).flatMap(found -> {
            try {
                return Optional.of(new Notifications(found.connection(),
                        found.contract().getMethod("getNotifications", int.class)));
            } catch (NoSuchMethodException | RuntimeException e) {
                return Optional.empty(); // a pgjdbc older than 9.4.1210
            }
        });
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
