package io.highlander.cdi.internal.lock;

import java.sql.SQLException;
import java.util.List;

/**
 * What a node's watcher asks of its own connection. {@link LockSession} is the PostgreSQL implementation; a
 * simulation implements it on its in-memory server. Used by the watcher's driver thread, except {@link #cancel()}
 * and {@link #abandon()}, which any thread may call to end a wait.
 */
public interface WatcherStatements {

    /**
     * @param namespace the first half of the liveness keys
     * @return every live node session in the namespace, ascending by unsigned liveness
     * @throws SQLException if it fails
     */
    List<LiveNode> liveNodes(int namespace) throws SQLException;

    /**
     * Waits in shared mode, at most {@code lock_timeout}, for a node's liveness lock; once granted (that node's
     * session is gone) lets it go and sends {@code gone} in the same statement. A grant that sticks to a
     * cancelled or timed-out wait is dropped and reported as gone all the same (its notice is sent on its own).
     *
     * @param gone the node to wait for, and the notice to send
     * @return whether that node's session is gone (false: the wait timed out with no grant)
     * @throws SQLException if it fails or was {@linkplain #cancel() cancelled} without a grant
     */
    boolean awaitGone(Notice.Gone gone) throws SQLException;

    /**
     * Sends a notice, best-effort (see {@link NodeStatements#notify}).
     *
     * @param notice the notice
     * @throws SQLException if the session fails
     */
    void notify(Notice notice) throws SQLException;

    /** Cancels a statement in flight (a wait); any thread. */
    void cancel();

    /** @return whether this session was released or abandoned */
    boolean ended();

    /** Unlocks everything, undoes the settings and closes; abandons on any failure. Idempotent. */
    void release();

    /** Ends the session without a clean release; any thread, idempotent. */
    void abandon();
}
