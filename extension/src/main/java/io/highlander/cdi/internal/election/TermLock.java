package io.highlander.cdi.internal.election;

import io.highlander.cdi.LossReason;

/**
 * One term's advisory lock on the node session: how the {@link Election} lets it go, from whichever thread
 * wins {@link Election#letGo}. Only the node's lock thread speaks to the node session; other threads hand it the
 * work and wake it.
 */
interface TermLock {

    /** Clean: the instance has stopped; unlock and tell every node ({@code released}), so one takes it at once. */
    void release();

    /**
     * Not clean. For a lost connection or a pooler the whole node session is aborted (every term on it shares its
     * fate anyway); for an expired lease too, unless another term on the session still holds its lock (then only this
     * lock is unlocked, announced {@code abandoned}: see {@link io.highlander.cdi.internal.lock.Lease}); after a
     * graceful stop that overran its bound, the lock is unlocked as {@link #release()} does, announced
     * {@code abandoned}, since the session itself is sound.
     *
     * @param reason why the term ended
     */
    void abandon(LossReason reason);

    /** @return whether the lock is gone from the node session (unlocked, or the session ended) */
    boolean isLetGo();

    /**
     * @return how long the term must wait from now before its instance starts: L + m under
     *         {@code highlander.takeover=strict} when the last term on the lock was not seen to end cleanly, else 0
     */
    long holdBeforeStartNanos();

    /**
     * @return the backend PID of the node session that holds the lock, which a fenced transaction checks in
     *         {@code pg_locks}; 0 (no backend) where there is no session
     */
    default int backendPid() {
        return 0;
    }

    /**
     * @return whether no transaction fenced by an earlier term was open just after the lock was taken (tried once
     *         on the node session); if not, the term's start waits at the fence's barrier (FenceBarrier)
     */
    default boolean fenceClear() {
        return false;
    }
}
