package io.highlander.cdi.internal.election;

import io.highlander.cdi.internal.lock.Notice;
import java.sql.SQLException;

/**
 * An input of the node loop. Whatever another thread has to tell the loop (a step-down, a close, a finished
 * {@code @PreDestroy}, the watchdog, the watcher's {@code gone}) is one of these on the loop's one queue
 * ({@link NodeLoop#post}); the loop's state is touched by the loop alone.
 */
public sealed interface LoopEvent {

    /** An election's state changed (a step-down, a close, a finished stop, a deadline): drive the elections. */
    record Look() implements LoopEvent {
    }

    /**
     * A notice read from the node session's socket.
     *
     * @param heard the notice and its sender's PID
     */
    record Heard(Notice.Heard heard) implements LoopEvent {
    }

    /**
     * This node's watcher was granted a node's liveness lock: that node's session is gone.
     *
     * @param liveness its liveness half
     */
    record WatcherSawGone(int liveness) implements LoopEvent {
    }

    /**
     * The socket read of the node session failed: the session is gone.
     *
     * @param failure why
     */
    record SocketFailed(SQLException failure) implements LoopEvent {
    }

    /**
     * Let a term's lock go (asked from another thread: the watchdog, a close).
     *
     * @param lock the term's lock
     * @param clean whether the term's instance was destroyed (a {@code released}) or not ({@code abandoned})
     */
    record Unlock(NodeLoop.Held lock, boolean clean) implements LoopEvent {
    }

    /**
     * Who holds a lock, asked from another thread ({@code LeaderElector.leader}): answered from the node session,
     * so that no third connection is opened; completed exceptionally while there is no session.
     *
     * @param key    the lock
     * @param answer completed with the holder, or empty if nobody holds it
     */
    record WhoHolds(io.highlander.cdi.internal.lock.LockKey key,
                    java.util.concurrent.CompletableFuture<java.util.Optional<io.highlander.cdi.internal.lock.LockHolder>>
                            answer) implements LoopEvent {
    }

    /** The driver thread was interrupted: the container is stopping our threads. */
    record Interrupted() implements LoopEvent {
    }
}
