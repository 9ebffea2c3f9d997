package io.highlander.cdi.internal.election;

import io.highlander.cdi.internal.lock.Lease;
import java.time.Instant;

/**
 * One leadership term of one singleton on this node: from acquiring the lock to letting it go. Immutable;
 * whether it is still running is a matter of the election's {@link ElectionState}, not of the term.
 *
 * @param fencingToken the term's token
 * @param lease        the term's lease (its clock; ended when the term ends)
 * @param lock         the term's lock on the node session
 * @param began        when the lock was acquired
 */
record Term(long fencingToken, Lease lease, TermLock lock, Instant began) {

    @Override
    public String toString() {
        return "term " + fencingToken;
    }
}
