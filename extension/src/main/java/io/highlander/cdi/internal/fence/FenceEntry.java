package io.highlander.cdi.internal.fence;

import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * What a fenced transaction asks of the server, in one statement (one round trip): bound the transaction's idle
 * time, take the companion lock shared until the transaction ends, and only then check that the singleton's lock
 * is still granted to the node session of the term. The order is the safety argument (docs/design/fencing.md §3):
 * the check is a correlated subquery on the row that took the lock, so the server cannot evaluate it first.
 */
public final class FenceEntry {

    /**
     * Parameters: idle bound in ms (text), companion namespace, companion key, singleton namespace (as pg_locks'
     * unsigned classid), singleton key (unsigned objid), the node session's backend PID, its session tag
     * ({@code application_name}: a PID the server gave to another node's session after the old one exited must not
     * pass). {@code objsubid = 2}: the two-int form of the singleton's lock.
     */
    static final String ENTER = """
            WITH taken AS MATERIALIZED (
                SELECT set_config('idle_in_transaction_session_timeout', ?, true) AS bound,
                       pg_advisory_xact_lock_shared(?, ?)::text AS shared)
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                           WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_catalog.pg_database
                                                                           WHERE datname = current_database())
                             AND l.classid = ?::oid AND l.objid = ?::oid AND l.objsubid = 2
                             AND l.granted AND l.pid = ? AND taken.shared IS NOT NULL
                             AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                                         WHERE a.pid = l.pid AND a.application_name = ?))
            FROM taken""";

    private FenceEntry() {
    }

    /**
     * Runs in the caller's open transaction; on {@code false} the caller must not commit (the companion lock stays
     * held until the transaction ends, which the idle bound guarantees).
     *
     * @param connection the application's connection, in a transaction
     * @param singleton  the singleton's lock
     * @param holderPid  the backend PID of the node session that holds it for the term
     * @param nodeId     the node whose session that is
     * @param idleBound  the longest the transaction may sit idle before the server ends it (about the lease)
     * @return whether the term's lock was still held by that session once the companion lock was taken
     * @throws SQLException if the statement fails
     */
    public static boolean enter(Connection connection, LockKey singleton, int holderPid, String nodeId,
                                Duration idleBound)
            throws SQLException {
        LockKey companion = FenceKey.of(singleton);
        try (PreparedStatement statement = connection.prepareStatement(ENTER)) {
            statement.setString(1, Long.toString(Math.max(1, idleBound.toMillis())));
            statement.setInt(2, companion.namespace());
            statement.setInt(3, companion.key());
            statement.setLong(4, Integer.toUnsignedLong(singleton.namespace()));
            statement.setLong(5, Integer.toUnsignedLong(singleton.key()));
            statement.setInt(6, holderPid);
            statement.setString(7, LockSession.APPLICATION_NAME_PREFIX + nodeId);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }
}
