package io.highlander.cdi.internal.election;

import io.highlander.cdi.internal.lock.Lease;
import io.highlander.cdi.internal.lock.LockSession;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One leadership term of one singleton on this node: from acquiring the lock to losing or releasing it.
 * It ends exactly once, whoever notices first (the lock thread or the lease watchdog).
 */
final class Term {

    final long fencingToken;
    final Lease lease;
    final LockSession session;
    final Instant began;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean serving;

    Term(long fencingToken, Lease lease, LockSession session, Instant began) {
        this.fencingToken = fencingToken;
        this.lease = lease;
        this.session = session;
        this.began = began;
    }

    /** @return {@code true} for the one caller that ends the term; the lease is ended before it returns */
    boolean end() {
        if (ended.compareAndSet(false, true)) {
            lease.end();
            return true;
        }
        return false;
    }

    boolean ended() {
        return ended.get();
    }

    /** Marks that calls may reach the instance: the context is open for this term. */
    void serve() {
        serving = true;
    }

    boolean serving() {
        return serving;
    }
}
