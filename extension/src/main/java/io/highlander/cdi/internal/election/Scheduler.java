package io.highlander.cdi.internal.election;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task later: the lease watchdog's deadlines, a supervised restart's backoff, a watcher's repeated wake.
 * A thread in production ({@link #of}); a simulation runs the tasks itself at their simulated time.
 */
@FunctionalInterface
public interface Scheduler {

    /**
     * @param task       what to run, on some thread other than the node loop's
     * @param delayNanos after how long (by the ticker), at least 0
     */
    void schedule(Runnable task, long delayNanos);

    /**
     * @param executor a scheduler thread
     * @return a scheduler on it that drops tasks once it is shut down (the node is closing)
     */
    static Scheduler of(ScheduledExecutorService executor) {
        return (task, delayNanos) -> {
            try {
                executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // the node is closing: whoever asked falls back on its own bound
            }
        };
    }
}
