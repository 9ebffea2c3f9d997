package io.highlander.cdi.internal.lock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A statement's deadline on the client side. Past it, the session is ended the way {@link LockSession#abandon()}
 * ends a session with a statement in flight: a cancel request first, then the abort. The network timeout alone is
 * not enough: pgjdbc closes the socket when it fires, and a backend that waits where it does not look at its client
 * (a commit in {@code SyncRep}, PG-SEMANTICS §10) then keeps every lock of the session for as long as it waits; a
 * cancel request ends that wait, as {@code pg_cancel_backend} does. So the deadline comes first, and the connection's
 * network timeout, a little later, is only the backstop if the deadline's thread never ran.
 *
 * <p>The timing is the JDK's shared delay thread's; the work at the deadline runs on {@code executor}, only if the
 * statement has not returned by then, so a statement that answers in time costs no thread.
 */
final class StatementDeadline {

    private static final int ARMED = 0;
    private static final int DONE = 1;
    private static final int FIRED = 2;

    private final AtomicInteger state = new AtomicInteger(ARMED);

    private StatementDeadline() {
    }

    /**
     * @param after    how long the statement may take
     * @param expire   what to do if it takes longer (cancel, then abort); run on {@code executor}
     * @param executor where {@code expire} runs: never the statement's own thread, which is blocked in its read
     * @return the armed deadline
     */
    static StatementDeadline arm(Duration after, Runnable expire, Executor executor) {
        StatementDeadline deadline = new StatementDeadline();
        Executor ifStillArmed = task -> {
            if (deadline.state.get() == ARMED) {
                executor.execute(task);
            }
        };
        CompletableFuture.delayedExecutor(Math.max(1, after.toNanos()), TimeUnit.NANOSECONDS, ifStillArmed)
                .execute(() -> {
                    if (deadline.state.compareAndSet(ARMED, FIRED)) {
                        expire.run();
                    }
                });
        return deadline;
    }

    /**
     * The statement returned (or failed).
     *
     * @return whether it did so before its deadline fired; false means the session is being ended
     */
    boolean disarm() {
        return state.compareAndSet(ARMED, DONE) || state.get() == DONE;
    }

    /** @return whether the deadline fired */
    boolean fired() {
        return state.get() == FIRED;
    }
}
