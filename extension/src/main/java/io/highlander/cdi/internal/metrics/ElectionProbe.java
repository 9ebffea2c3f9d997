package io.highlander.cdi.internal.metrics;

import java.time.Duration;

/**
 * What only the election and lock code can tell the meters, for the code in {@code election/} and {@code lock/} to
 * call once it is wired (it is not yet: nothing calls these, and no meter is published for them). Each call must
 * be cheap and must not throw: it runs on the thread that keeps the lock. Implementations must be thread-safe.
 */
public interface ElectionProbe {

    /** Tells nothing to no one: what the election code holds until metrics are wired. */
    ElectionProbe NONE = new ElectionProbe() {
    };

    /**
     * A connection this node holds for its elections (node session or a term's lock) was opened.
     */
    default void connectionOpened() {
    }

    /** A connection counted by {@link #connectionOpened()} was closed or lost. */
    default void connectionClosed() {
    }

    /**
     * @param singleton the election's name
     * @param roundTrip how long an acknowledged heartbeat took, from sending to answer
     */
    default void heartbeat(String singleton, Duration roundTrip) {
    }

    /** This node connected again after its connection was lost. */
    default void reconnected() {
    }

    /** @param singleton the election whose release notice (LISTEN/NOTIFY) this node received */
    default void noticeReceived(String singleton) {
    }

    /**
     * The server granted this node a singleton's lock; with the {@code LeadershipAcquired} that follows, the
     * takeover time on the election's own clock (the tally measures it today from the event's wall-clock time).
     *
     * @param singleton    the singleton's name
     * @param fencingToken the new term's token
     * @param nanoTime     {@link System#nanoTime()} when the lock was granted
     */
    default void lockGranted(String singleton, long fencingToken, long nanoTime) {
    }
}
