package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.datasource.ConnectionSource;
import java.sql.SQLException;
import java.time.Duration;

/** A watcher's statements on PostgreSQL, each one round trip through its {@link LockSession}'s one path. */
public final class WatcherSessionStatements extends PostgresStatements implements WatcherStatements {

    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final String CANCELLED = "57014";

    /** @param session the connection, whose {@code lock_timeout} bounds the wait */
    public WatcherSessionStatements(LockSession session) {
        super(session);
    }

    /**
     * Opens a watcher's connection.
     *
     * @param source   where the connection comes from
     * @param owner    whose connection it is, for messages
     * @param nodeId   this node's id
     * @param waitBound the longest wait ({@code lock_timeout}); its idle bound is twice that (it holds no lock)
     * @return the watcher's statements
     * @throws SQLException if it cannot be opened
     */
    public static WatcherSessionStatements open(ConnectionSource source, String owner, String nodeId,
                                                Duration waitBound) throws SQLException {
        return new WatcherSessionStatements(LockSession.open(source, owner, nodeId, waitBound.multipliedBy(2),
                waitBound));
    }

    @Override
    public boolean awaitGone(Notice.Gone notice) throws SQLException {
        long key = livenessKey(notice.namespace(), notice.liveness());
        Duration bound = session.standbyInterval().multipliedBy(2).plusSeconds(5);
        try {
            session.run(Sql.AWAIT_GONE, bound, statement -> {
                statement.setLong(1, key);
                statement.setLong(2, key);
                statement.setString(3, notice.payload());
            }, rows -> null);
            return true;
        } catch (SQLException e) {
            if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) && !CANCELLED.equals(e.getSQLState())) {
                throw e;
            }
            // a grant at the instant of the error sticks (the session level outlives the rollback), and so does the
            // news: the node is gone, while the statement's notice was rolled back. Drop the grant, so that this
            // session never holds up a liveness lock, and send the notice on its own (rule W1)
            boolean stuck = session.run(Sql.DROP_STUCK_GRANT, bound, statement -> statement.setLong(1, key),
                    rows -> rows.next() && rows.getBoolean(1)); // and every other lock of the session
            if (stuck) {
                notify(notice);
                return true;
            }
            if (CANCELLED.equals(e.getSQLState())) {
                throw e;
            }
            return false;
        }
    }

    @Override
    public void cancel() {
        session.cancel();
    }
}
