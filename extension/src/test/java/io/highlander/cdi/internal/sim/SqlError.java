package io.highlander.cdi.internal.sim;

/**
 * An error the simulated server reports, with the SQLState and text the real one uses (PG-SEMANTICS §3, §5).
 *
 * @param sqlState the SQLState a JDBC client would see
 * @param message the server's (or the driver's) text
 * @param fatal whether the session is over
 */
public record SqlError(String sqlState, String message, boolean fatal) {

    static final SqlError LOCK_TIMEOUT = new SqlError("55P03", "canceling statement due to lock timeout", false);
    static final SqlError CANCELED = new SqlError("57014", "canceling statement due to user request", false);
    static final SqlError QUEUE_FULL = new SqlError("54000", "too many notifications in the NOTIFY queue", false);
    static final SqlError IDLE_SESSION = new SqlError("57P05",
            "terminating connection due to idle-session timeout", true);
    static final SqlError IDLE_IN_TRANSACTION = new SqlError("25P03",
            "terminating connection due to idle-in-transaction timeout", true);
    static final SqlError ADMIN = new SqlError("57P01", "terminating connection due to administrator command", true);
    /** What pgjdbc reports when the socket closes without a message (crash, immediate restart, a cut link). */
    static final SqlError EOF = new SqlError("08006", "An I/O error occurred while sending to the backend.", true);
    static final SqlError STARTING = new SqlError("57P03", "the database system is starting up", true);
    static final SqlError REFUSED = new SqlError("08001", "Connection refused", true);
}
