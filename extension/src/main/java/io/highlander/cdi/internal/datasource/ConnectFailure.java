package io.highlander.cdi.internal.datasource;

import java.io.IOException;
import java.sql.SQLException;

/**
 * What a failure to get a connection says about the future: whether waiting can help. Pools wrap the driver's
 * exception (Payara: an {@link SQLException} without SQLState), so the whole chain of causes counts.
 */
public enum ConnectFailure {

    /** The server refused us for good: authentication (28xxx) or an unknown database (3D000). */
    REJECTED,
    /** The server cannot be reached or went away (08xxx, 57P01, 57P02, or an I/O error): it will be back. */
    UNREACHABLE,
    /**
     * The server answers but takes no connection now: every slot is taken (53300, also per role or database),
     * it lacks resources (53xxx), or it is starting up or shutting down (57P03). It will be back.
     */
    BUSY,
    /** Anything else, such as a pool that cannot make any connection (a driver missing in the server). */
    UNKNOWN;

    /**
     * @param failure what getting a connection threw
     * @return what it means
     */
    public static ConnectFailure of(SQLException failure) {
        String state = sqlState(failure);
        if (state.startsWith("28") || state.equals("3D000")) {
            return REJECTED;
        }
        if (state.startsWith("53") || state.equals("57P03")) {
            return BUSY;
        }
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || networkFailure(failure)) {
            return UNREACHABLE;
        }
        return UNKNOWN;
    }

    /**
     * @param failure a failure
     * @return the first SQLState in its chain of causes, or ""
     */
    public static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return "";
    }

    /**
     * What went wrong, in one line: the failure's message and, after it, each cause that adds something (pgjdbc says
     * only "The connection attempt failed." and puts the unknown host or the refused address in its cause).
     *
     * @param failure a failure to connect
     * @return its message followed by its causes' kinds and messages
     */
    public static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        for (Throwable t = next(failure); t != null; t = next(t)) {
            String message = t.getMessage();
            if (message == null || !text.toString().contains(message)) {
                text.append(": ").append(t.getClass().getSimpleName());
                if (message != null) {
                    text.append(' ').append(message);
                }
            }
        }
        return text.toString();
    }

    private static boolean networkFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable next(Throwable t) {
        Throwable next = t.getCause() != null ? t.getCause() : t instanceof SQLException sql ? sql.getNextException() : null;
        return next == t ? null : next;
    }
}
