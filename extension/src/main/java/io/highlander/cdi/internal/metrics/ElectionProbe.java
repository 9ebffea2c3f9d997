package io.highlander.cdi.internal.metrics;

import io.highlander.cdi.internal.lock.Notice;
import java.util.function.IntSupplier;

/**
 * What only the node session can tell the meters: the election code calls it at a few clear points (the session
 * opened, a heartbeat answered, a notice heard), and the {@link NodeTally} behind it counts. Each call must be cheap
 * and must not throw: it runs on the thread that keeps the locks. Implementations must be thread-safe.
 */
public interface ElectionProbe {

    /** Tells nothing to no one: what the election code holds where metrics are not wired (a simulation). */
    ElectionProbe NONE = new ElectionProbe() {
    };

    /**
     * Once, before the elections start.
     *
     * @param held how many connections of the DataSource the node holds at the moment it is asked (its node
     *             session and its watcher); read whenever a meter is read, from any thread
     */
    default void connections(IntSupplier held) {
    }

    /** The node session was opened: the first time, or again after it was lost (a reconnect). */
    default void sessionOpened() {
    }

    /** @param roundTripNanos how long an acknowledged heartbeat took, from sending to answer */
    default void heartbeat(long roundTripNanos) {
    }

    /** @param notice a notice of this deployment the node session heard from another session */
    default void noticeHeard(Notice notice) {
    }
}
