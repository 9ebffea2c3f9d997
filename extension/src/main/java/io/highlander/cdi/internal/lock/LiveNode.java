package io.highlander.cdi.internal.lock;

/**
 * One live node session as {@code pg_locks} shows it: the holder of a liveness lock in our namespace.
 *
 * @param liveness the random half of its liveness key (unsigned when compared)
 * @param pid      the backend PID holding it: a notice counts as this node's only if it came from this PID
 */
public record LiveNode(int liveness, int pid) {

    /** @return the liveness half as an unsigned value, the order of the watchers' ring */
    public long unsigned() {
        return Integer.toUnsignedLong(liveness);
    }
}
