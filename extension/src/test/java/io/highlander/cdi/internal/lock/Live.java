package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.fence.FenceKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The live path's statements, as the lock tests use them on one singleton's lock. */
final class Live {

    private static final Duration ROUND_TRIP = Duration.ofSeconds(10);

    private Live() {
    }

    /** @return a node session's statements on {@code session} (fast mode) */
    static NodeSessionStatements node(LockSession session) {
        return new NodeSessionStatements(session, false);
    }

    /** @return whether the takeover statement took {@code key} */
    static boolean take(NodeStatements node, LockKey key) throws SQLException {
        return grab(node, key).keys().contains(key.key());
    }

    /** @return what the takeover statement took of {@code key}, with its token */
    static NodeStatements.Grab grab(NodeStatements node, LockKey key) throws SQLException {
        return node.tryAcquireAll(key.namespace(), FenceKey.namespaceOf(key.namespace()), List.of(key.key()),
                ROUND_TRIP);
    }

    /** @return who holds {@code key}, asked on {@code node} */
    static Optional<LockHolder> holder(NodeStatements node, LockKey key) throws SQLException {
        return Optional.ofNullable(node.holdersOf(key.namespace(), List.of(key.key())).get(key.key()));
    }

    /** @return who holds {@code key}, asked on any connection */
    static Optional<LockHolder> holderOf(Connection connection, LockKey key) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT l.pid, a.application_name FROM pg_locks l"
                + " LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                + " AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 2")) {
            query.setLong(1, key.classId());
            query.setLong(2, key.objectId());
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(new LockHolder(row.getInt(1), row.getString(2))) : Optional.empty();
            }
        }
    }
}
