package io.highlander.cdi.internal.election;

/**
 * How long the node loop waits before it connects again after its node session failed: from a minimum, doubling
 * with each failure in a row up to a maximum, back to the minimum after a session opened. Pure and deterministic (no
 * jitter: the nodes of a cluster fail at different times anyway, and a simulation replays it exactly).
 */
final class Backoff {

    private final long minNanos;
    private final long maxNanos;
    private long next;

    /**
     * @param minNanos the first wait
     * @param maxNanos the longest wait
     */
    Backoff(long minNanos, long maxNanos) {
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.next = minNanos;
    }

    /** @return how long to wait after this failure; the next one waits twice as long, up to the maximum */
    long failed() {
        long wait = next;
        next = Math.min(maxNanos, next * 2);
        return wait;
    }

    /** A session opened: the next failure waits the minimum again. */
    void succeeded() {
        next = minNanos;
    }
}
