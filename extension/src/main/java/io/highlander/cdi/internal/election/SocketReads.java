package io.highlander.cdi.internal.election;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long one socket read of the node session lasts, and whether a read must be ended early by a {@code wake}
 * notice (rule L3 of docs/design/election.md). Pure: time from the caller's ticker, no thread of its own.
 *
 * <p>Between steps the lock thread waits in a socket read of its session, never deaf to the session's end. A
 * thread in a socket read ignores interrupts, so another thread's event reaches it only through a notice, which the
 * node's watcher must send from its own connection, cancelling its wait first: a few milliseconds, and a
 * forked backend for the cancel. That is cheap for a step-down asked once in a while, but it sat twice on every
 * graceful hand-over: once to let the loop see the stop begin, and once more to let it see {@code @PreDestroy}
 * return before it could unlock (issue 22). So while a graceful stop runs, or is expected (the container began
 * to shut down), the reads last a millisecond: the stop's end is seen within one read, and such a read needs no
 * notice to end.
 */
final class SocketReads {

    /** The longest read while the watcher is connected: a lost wake costs at most this. */
    static final long WAKE_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * The longest read while the watcher is not connected, so cannot send a wake: short enough that an event posted
     * meanwhile waits little, long enough not to spin.
     */
    static final long SHORT_READ_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * The read while a graceful stop runs or is expected: the loop sees {@code @PreDestroy} return within it, with no
     * wake; the socket is read all the while, so a killed session is still seen at once (issue 20, finding a).
     */
    static final long STOP_READ_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a hint that a stop is coming keeps the reads short if no stop follows (then it lapses). */
    static final long EXPECTED_STOP_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final LongSupplier ticker;
    private volatile boolean expected;
    private volatile long expectedUntil;

    /** @param ticker the monotonic clock, in nanoseconds */
    SocketReads(LongSupplier ticker) {
        this.ticker = ticker;
    }

    /**
     * The loop's bound on its next read.
     *
     * @param stopping         whether a graceful stop of one of its terms waits for {@code @PreDestroy}
     * @param watcherConnected whether the watcher can send a {@code wake}
     * @return the longest single read
     */
    static long slice(boolean stopping, boolean watcherConnected) {
        if (stopping) {
            return STOP_READ_NANOS;
        }
        return watcherConnected ? WAKE_BOUND_NANOS : SHORT_READ_NANOS;
    }

    /** Any thread: a graceful stop is coming (the container began to shut down); keep the reads short for a while. */
    void stopExpected() {
        expectedUntil = ticker.getAsLong() + EXPECTED_STOP_NANOS;
        expected = true;
    }

    /**
     * The driver's read, from the loop's slice: no longer than {@link #STOP_READ_NANOS} while a stop is expected.
     *
     * @param stepSlice the slice the loop's step asked for
     * @return the longest single read now
     */
    long read(long stepSlice) {
        if (expected && ticker.getAsLong() - expectedUntil < 0) {
            return Math.min(stepSlice, STOP_READ_NANOS);
        }
        return stepSlice;
    }

    /**
     * @param readNanos the bound of the read the lock thread is in
     * @return whether an event must end it with a {@code wake} notice; a read this short ends by itself as soon
     */
    static boolean needsNotice(long readNanos) {
        return readNanos > STOP_READ_NANOS;
    }
}
