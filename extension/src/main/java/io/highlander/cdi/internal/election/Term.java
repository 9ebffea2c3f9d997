package io.highlander.cdi.internal.election;

import io.highlander.cdi.internal.lock.Lease;
import io.highlander.cdi.internal.lock.LockSession;
import java.time.Instant;

/**
 * One leadership term of one singleton on this node: from acquiring the lock to letting it go. Immutable;
 * whether it is still running is a matter of the election's {@link ElectionState}, not of the term.
 *
 * @param fencingToken the term's token
 * @param lease        the term's lease (its clock; ended when the term ends)
 * @param session      the lock session that holds the lock for this term
 * @param began        when the lock was acquired
 */
record Term(long fencingToken, Lease lease, LockSession session, Instant began) {

    @Override
    public String toString() {
        return "term " + fencingToken;
    }
}
