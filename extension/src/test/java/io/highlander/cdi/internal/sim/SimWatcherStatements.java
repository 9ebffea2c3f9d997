package io.highlander.cdi.internal.sim;

import io.highlander.cdi.internal.lock.LiveNode;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.internal.sim.LockTable.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The watcher's statements on the simulated server, as {@code WatcherSessionStatements} sends them ({@code Sql}'s
 * text, kept in step by hand). The
 * stuck-grant drop can be switched off, to show what it guards against.
 */
final class SimWatcherStatements implements WatcherStatements {

    private final SimConnection connection;
    private final Duration wait;
    private final boolean dropStuckGrant;
    private boolean ended;

    SimWatcherStatements(SimConnection connection, Duration wait, boolean dropStuckGrant) {
        this.connection = connection;
        this.wait = wait;
        this.dropStuckGrant = dropStuckGrant;
    }

    SimConnection connection() {
        return connection;
    }

    @Override
    public List<LiveNode> liveNodes(int namespace) throws SQLException {
        return SimNodeStatements.liveNodes(connection, namespace, wait.plusSeconds(5));
    }

    @Override
    public boolean awaitGone(Notice.Gone gone) throws SQLException {
        AdvisoryKey key = SimNodeStatements.livenessKey(gone.namespace(), gone.liveness());
        try {
            connection.call(List.of(new Step.Lock(key, LockMode.SHARED, Level.SESSION),
                    new Step.Unlock(key, LockMode.SHARED),
                    SimNodeStatements.queueRoom(gone)), wait.multipliedBy(2).plusSeconds(5));
            return true;
        } catch (SQLException e) {
            if (!"55P03".equals(e.getSQLState()) && !"57014".equals(e.getSQLState())) {
                throw e;
            }
            if (!dropStuckGrant) {
                if ("57014".equals(e.getSQLState())) {
                    throw e;
                }
                return false;
            }
            // a grant at the instant of the error sticks (the session level outlives the rollback, the news too):
            // drop it, and send the notice on its own
            List<Object> row = connection.call(List.of(new Step.Unlock(key, LockMode.SHARED)), wait.plusSeconds(5));
            connection.call(List.of(new Step.UnlockAll()), wait.plusSeconds(5));
            if (Boolean.TRUE.equals(row.get(0))) {
                notify(gone);
                return true;
            }
            if ("57014".equals(e.getSQLState())) {
                throw e;
            }
            return false;
        }
    }

    @Override
    public void notify(Notice notice) throws SQLException {
        connection.call(List.of(SimNodeStatements.queueRoom(notice)), wait.plusSeconds(5));
    }

    @Override
    public void cancel() {
        if (!connection.closed()) {
            connection.link().cancel();
        }
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public void release() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            connection.call(List.of(new Step.UnlockAll()), Duration.ofSeconds(5));
        } catch (SQLException e) {
            // ends below either way
        }
        connection.abort();
    }

    @Override
    public void abandon() {
        ended = true;
        connection.abort();
    }
}
