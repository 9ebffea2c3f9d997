package io.highlander.cdi.internal.lock;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the node loop asks of its node session, one round trip each: the node loop talks to this interface only
 * (as the Kubernetes client's leader election talks to its {@code Lock}), so that a simulation can run the real
 * loop on an in-memory server. {@link LockSession} is the PostgreSQL implementation. Used by one thread at a time,
 * except {@link #abandon()}, which the lease watchdog may call from its own.
 */
public interface NodeStatements {

    /** @return what this session is connected to */
    ServerInfo server();

    /**
     * @return which PostgreSQL cluster and timeline this session is on, as read at open; by default an unknown
     *         cluster on timeline 1 (a model of one server that never fails over), which no token guard refuses
     */
    default ClusterIdentity cluster() {
        return new ClusterIdentity(server().database(), OptionalLong.empty(), 1);
    }

    /**
     * Takes this node session's liveness lock, without waiting.
     *
     * @param namespace the first half of the key
     * @param random    the second half, random per node session, never 0
     * @return whether it took it (false: another live session drew the same number)
     * @throws SQLException if it fails, or {@link PoolerDetectedException}
     */
    boolean takeLiveness(int namespace, int random) throws SQLException;

    /**
     * Listens for notices, if this session can wait for them in a socket read.
     *
     * @return whether it listens (false: the loop falls back to heartbeats and timed tries alone)
     * @throws SQLException if it fails
     */
    boolean listen() throws SQLException;

    /** @return whether {@link #awaitNotices} waits in a socket read */
    boolean canAwaitNotices();

    /**
     * Waits in a socket read, sending nothing, for notices; the server ending the session ends the wait at once
     * with an error. Only the loop's driver calls it (a simulation delivers notices as events instead).
     *
     * @param millis at most this long, at least 1
     * @return the notices of ours that came (foreign payloads dropped), each with its sender's backend PID
     * @throws SQLException if the session is gone
     */
    List<Notice.Heard> awaitNotices(int millis) throws SQLException;

    /**
     * Proves to the server that this node is alive; checks the backend and its session tag.
     *
     * @param timeout how long the round trip may take
     * @throws SQLException if it fails or times out, or {@link PoolerDetectedException}
     */
    void heartbeat(Duration timeout) throws SQLException;

    /**
     * Takes every one of the given locks that is free, without waiting, and if it took any: the fencing token, and
     * an {@link Notice.Acquired} per key taken, sent by the same statement (so delivered at its commit), all in
     * one round trip. Never asked for a lock this session holds already. The token is a {@link FencingToken} (the
     * server's timeline above a transaction id) plus {@code highlander.token-floor}; where it cannot be made
     * ({@link TokenOutOfRangeException}) no notice is sent, and the caller ends the session, which frees the locks.
     * The same statement tries, after each grant, that key's companion lock ({@code internal.fence.FenceKey}: same
     * key, in {@code companions}) exclusively until its commit: the fence's barrier (docs/design/fencing.md F6),
     * which tells whether a transaction fenced by an earlier term is still open.
     *
     * @param namespace  the locks' first key
     * @param companions the companion locks' first key ({@code FenceKey.namespaceOf(namespace)})
     * @param keys       the locks' second keys, distinct
     * @param timeout    how long the round trip may take
     * @return what it took
     * @throws SQLException if it fails, {@link PoolerDetectedException}, or {@link TokenOutOfRangeException}
     */
    Grab tryAcquireAll(int namespace, int companions, Collection<Integer> keys, Duration timeout) throws SQLException;

    /**
     * Lets one lock go and tells every node, in one statement; the notice is best-effort (a full notification
     * queue does not fail the unlock: the other nodes' timed tries cover a lost one).
     *
     * @param key     the lock
     * @param notice  what to tell the others
     * @param timeout how long the round trip may take
     * @return whether this session held the lock
     * @throws SQLException if it fails, or {@link PoolerDetectedException}
     */
    boolean unlock(LockKey key, Notice.Released notice, Duration timeout) throws SQLException;

    /**
     * Who holds each of several locks, in one statement.
     *
     * @param namespace the locks' first key
     * @param keys      their second keys
     * @return the holding session of each key that is held
     * @throws SQLException if it fails
     */
    Map<Integer, LockHolder> holdersOf(int namespace, Collection<Integer> keys) throws SQLException;

    /**
     * @param namespace the first half of the liveness keys
     * @return every live node session in the namespace (this one included), ascending by unsigned liveness
     * @throws SQLException if it fails
     */
    List<LiveNode> liveNodes(int namespace) throws SQLException;

    /**
     * Sends a notice, best-effort: a full notification queue is not an error (the safety net covers a lost hint).
     *
     * @param notice the notice
     * @throws SQLException if the session fails
     */
    void notify(Notice notice) throws SQLException;

    /** @return whether this session was released or abandoned */
    boolean ended();

    /** Unlocks everything, undoes the session's settings and closes; abandons on any failure. Idempotent. */
    void release();

    /** Ends the session without a clean release (aborts the connection); any thread, idempotent. */
    void abandon();

    /**
     * What {@link #tryAcquireAll} took.
     *
     * @param keys  the keys (second halves of the two-int locks) now held, empty if none
     * @param token the fencing token read after the last grant, or -1 if none was taken
     * @param busy  the keys taken whose companion lock a fenced transaction held (their terms wait at the fence's
     *              barrier), a subset of {@code keys}
     */
    record Grab(Set<Integer> keys, long token, Set<Integer> busy) {

        /**
         * @param keys  the keys now held
         * @param token the fencing token, or -1 if none was taken
         */
        public Grab(Set<Integer> keys, long token) {
            this(keys, token, Set.of()); // no fenced transaction open: a model without them, or none now
        }
    }
}
