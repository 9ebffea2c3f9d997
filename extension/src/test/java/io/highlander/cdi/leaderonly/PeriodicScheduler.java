package io.highlander.cdi.leaderonly;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an application writes in Weld SE: its own {@link ScheduledExecutorService}, on every node, calling a
 * {@code @LeaderOnly} method through its bean (so that the interceptor sees the call). Firings are aligned to a
 * shared epoch, so that the k-th period means the same on every node.
 */
@ApplicationScoped
public class PeriodicScheduler {

    @Inject
    PeriodicJob job;

    private ScheduledExecutorService executor;
    private final AtomicLong firings = new AtomicLong();

    /**
     * @param epochMillis when period 0 begins (wall clock, shared by the nodes of one JVM)
     * @param period      the period
     */
    public synchronized void start(long epochMillis, Duration period) {
        executor = Executors.newSingleThreadScheduledExecutor();
        long periodMillis = period.toMillis();
        long now = System.currentTimeMillis();
        long first = Math.max(0, (now - epochMillis + periodMillis - 1) / periodMillis);
        AtomicLong next = new AtomicLong(first);
        executor.scheduleAtFixedRate(() -> {
            job.fire(next.getAndIncrement()); // fixed rate: a late firing still counts as its own period
            firings.incrementAndGet();
        }, epochMillis + first * periodMillis - now, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** @return how often this node's scheduler fired */
    public long firings() {
        return firings.get();
    }

    /** Stops firing, and waits for a firing under way. */
    @PreDestroy
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
