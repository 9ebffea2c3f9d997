package io.highlander.cdi.internal.election;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * Decides what follows a singleton's failure on this node: restart it after a backoff that doubles with
 * each failure in the window, or give up and step down once {@code maxFailures} fell within the window.
 * Pure: time comes from the ticker. Used by one thread (the singleton's lifecycle thread).
 */
final class Supervisor {

    /**
     * @param stepDown whether to give up on this node
     * @param failures failures within the window, this one included
     * @param backoff  how long to wait before restarting (when not stepping down)
     */
    record Verdict(boolean stepDown, int failures, Duration backoff) {
    }

    private final int maxFailures;
    private final long windowNanos;
    private final Duration backoff;
    private final LongSupplier ticker;
    private final Deque<Long> failures = new ArrayDeque<>();
    private volatile int restarts;

    Supervisor(int maxFailures, Duration window, Duration backoff, LongSupplier ticker) {
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.backoff = backoff;
        this.ticker = ticker;
    }

    Verdict failed() {
        long now = ticker.getAsLong();
        while (!failures.isEmpty() && now - failures.peekFirst() >= windowNanos) {
            failures.removeFirst();
        }
        failures.addLast(now);
        int count = failures.size();
        if (count >= maxFailures) {
            failures.clear(); // a fresh window after the cooldown
            return new Verdict(true, count, Duration.ZERO);
        }
        return new Verdict(false, count, backoff.multipliedBy(1L << Math.min(20, count - 1)));
    }

    void restarted() {
        restarts++;
    }

    int restarts() {
        return restarts;
    }
}
