package io.highlander.cdi.internal.sim;

/** The two advisory lock modes; exclusive conflicts with both, shared only with exclusive. */
public enum LockMode {
    /** {@code pg_advisory_lock_shared}: {@code ShareLock} in {@code pg_locks}. */
    SHARED,
    /** {@code pg_advisory_lock}: {@code ExclusiveLock} in {@code pg_locks}. */
    EXCLUSIVE;

    boolean conflictsWith(LockMode other) {
        return this == EXCLUSIVE || other == EXCLUSIVE;
    }
}
