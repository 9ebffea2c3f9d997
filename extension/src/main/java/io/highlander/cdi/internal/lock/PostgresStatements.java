package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.Messages;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a node's two connections share on PostgreSQL: the live nodes' scan, the best-effort notice with its one
 * HL-0434 warning per session, and the session's end. Each statement is one round trip through the
 * {@link LockSession}'s one path.
 */
abstract class PostgresStatements {

    private static final System.Logger LOG = System.getLogger(LockSession.class.getName());

    /** The connection. */
    final LockSession session;
    private final AtomicBoolean queueWarned = new AtomicBoolean();

    PostgresStatements(LockSession session) {
        this.session = session;
    }

    /** @return the connection underneath */
    public LockSession session() {
        return session;
    }

    /**
     * @param namespace the first half of the liveness keys
     * @return every live node session in the namespace, ascending by unsigned liveness, with its backend
     * @throws SQLException if it fails
     */
    public List<LiveNode> liveNodes(int namespace) throws SQLException {
        return session.run(Sql.LIVE_NODES, session.standbyInterval().plusSeconds(5),
                statement -> statement.setLong(1, Integer.toUnsignedLong(namespace)), rows -> {
                    List<LiveNode> live = new ArrayList<>();
                    while (rows.next()) {
                        live.add(new LiveNode((int) rows.getLong(1), rows.getInt(2)));
                    }
                    return live;
                });
    }

    /**
     * Sends a hint; skipped, with one warning per session, while the notification queue is half full.
     *
     * @param notice the notice
     * @throws SQLException if the session fails
     */
    public void notify(Notice notice) throws SQLException {
        session.run(Sql.NOTIFY, session.standbyInterval().plusSeconds(5),
                statement -> statement.setString(1, notice.payload()), rows -> {
                    rows.next();
                    if (rows.getBoolean(1)) {
                        warnQueueFull(rows.getDouble(2));
                    }
                    return null;
                });
    }

    /** @param usage how full the queue was found */
    final void warnQueueFull(double usage) {
        if (queueWarned.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, Messages.notificationQueueFilling(session.owner(), usage));
        }
    }

    /** @return whether this session was released or abandoned */
    public boolean ended() {
        return session.ended();
    }

    /** Unlocks everything, undoes the settings and closes; abandons on any failure. Idempotent. */
    public void release() {
        session.release();
    }

    /** Ends the session without a clean release; any thread, idempotent. */
    public void abandon() {
        session.abandon();
    }

    /** @return a liveness lock's bigint key */
    static long livenessKey(int namespace, int random) {
        return ((long) namespace << 32) | Integer.toUnsignedLong(random);
    }
}
