package io.highlander.cdi.internal.schedule;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Holds a firing that came while this node did not lead, for up to the misfire grace, until this node leads. It
 * reads only the node's own election state (no database statement while it waits), in steps of {@link #STEP}: the
 * election has no listener to wait on, and a step of a few milliseconds is small next to a hand-over.
 */
final class MisfireWait {

    /** How often the election's state is read while waiting. */
    static final Duration STEP = Duration.ofMillis(5);

    private MisfireWait() {
    }

    /**
     * @param leading  whether this node leads with a valid lease now
     * @param grace    the longest wait
     * @param nanoTime the monotonic clock
     * @return whether this node leads before the grace ran out (false also when the thread was interrupted, whose
     *         flag stays set)
     */
    static boolean untilLeading(BooleanSupplier leading, Duration grace, LongSupplier nanoTime) {
        long deadline = nanoTime.getAsLong() + grace.toNanos();
        while (!leading.getAsBoolean()) {
            long left = deadline - nanoTime.getAsLong();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(STEP.toMillis())));
        }
        return true;
    }
}
