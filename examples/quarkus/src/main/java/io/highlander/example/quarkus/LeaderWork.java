package io.highlander.example.quarkus;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Work that runs only where this node leads, on any node's call: {@link #sweep()} follows the singleton
 * {@link Ticker}, {@link #report()} a bean-less election of its own ({@value #REPORT}), which can be led by another
 * node than the ticker. A skipped call returns at once and counts in {@code /status} ({@code skippedCalls}). Each
 * run keeps the fencing token of its term, as a downstream write would take it. {@link #scheduledSweep()} is fired by
 * Quarkus' own scheduler on every node, every second, and runs only on the node that runs the ticker.
 */
@ApplicationScoped
public class LeaderWork {

    /** An election without a {@code @ClusterSingleton}: the {@code @LeaderOnly} binding alone declares it. */
    public static final String REPORT = "quarkus-report";

    @Inject
    @OfSingleton(Ticker.NAME)
    Leadership tickerTerm;

    @Inject
    @OfSingleton(REPORT)
    Leadership reportTerm;

    private final Runs sweeps = new Runs();
    private final Runs reports = new Runs();
    private final Runs scheduledSweeps = new Runs();

    /** Runs while this node runs the {@link Ticker}. */
    @LeaderOnly(Ticker.NAME)
    public void sweep() {
        sweeps.ran(tickerTerm.check());
    }

    /**
     * Fired by Quarkus' scheduler every second on every node; runs only where the {@link Ticker} runs, so each firing
     * runs on one node of the cluster, and after a failover on the new leader.
     */
    @Scheduled(every = "1s", identity = "highlander-example-scheduled-sweep")
    @LeaderOnly(Ticker.NAME)
    void scheduledSweep() {
        scheduledSweeps.ran(tickerTerm.check());
    }

    /** Runs while this node leads {@value #REPORT}. */
    @LeaderOnly(REPORT)
    public void report() {
        reports.ran(reportTerm.check());
    }

    /** @return how often {@link #sweep()} ran on this node, and its last token */
    public Runs.Count sweeps() {
        return sweeps.count();
    }

    /** @return how often {@link #scheduledSweep()} ran on this node, and its last token */
    public Runs.Count scheduledSweeps() {
        return scheduledSweeps.count();
    }

    /** @return how often {@link #report()} ran on this node, and its last token */
    public Runs.Count reports() {
        return reports.count();
    }

    /** Runs of one method on this node. */
    public static final class Runs {

        private final AtomicLong runs = new AtomicLong();
        private volatile long lastToken;

        void ran(long token) {
            lastToken = token;
            runs.incrementAndGet();
        }

        Count count() {
            return new Count(runs.get(), lastToken);
        }

        /**
         * @param runs      runs on this node
         * @param lastToken the fencing token of the last run, 0 if none
         */
        public record Count(long runs, long lastToken) {
        }
    }
}
