package io.highlander.example;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.NotLeaderException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster singleton: while this node leads, it ticks once a period; on every other node it does not
 * exist. Highlander calls {@code @PostConstruct} when this node wins the lock and {@code @PreDestroy} when
 * it loses it (or the application stops).
 */
@ApplicationScoped
@ClusterSingleton(Ticker.NAME)
public class Ticker {

    /** The singleton's cluster-wide name: every node running this class competes for the same lock. */
    public static final String NAME = "ticker";

    /** How often it ticks, in milliseconds; 1000 unless set. */
    public static final String PERIOD_PROPERTY = "example.tick-ms";

    @Inject
    LeaderElector elector;
    @Inject
    Report report;

    private ScheduledExecutorService clock;
    private long fencingToken;
    private long ticks;

    @PostConstruct
    void start() {
        // The term's fencing token: a number that grows with every new leader. Hand it to whatever the
        // singleton writes to, so that a stale leader's late writes can be rejected (... WHERE token >= ?).
        fencingToken = elector.checkLeadership(NAME);
        report.print("start", "token=" + fencingToken);
        // Our own thread: @PostConstruct must return, and work never runs on Highlander's threads.
        clock = Executors.newSingleThreadScheduledExecutor(work -> {
            Thread thread = new Thread(work, "ticker");
            thread.setDaemon(true);
            return thread;
        });
        long period = Long.getLong(PERIOD_PROPERTY, 1000);
        clock.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        // Read the clock first, then check: if the check passes, this node led at that instant. (Checked
        // first, a pause between check and clock could stamp the tick with a time when it no longer led.)
        Instant now = Instant.now();
        try {
            long token = elector.checkLeadership(NAME); // local and cheap: is the lease still valid?
            report.print(now, "tick", "n=" + ++ticks + " token=" + token);
        } catch (NotLeaderException e) {
            // The process was frozen (GC, SIGSTOP) past its lease: another node may lead already.
            report.print(now, "refused", "token=" + fencingToken);
        }
    }

    @PreDestroy
    void stop() {
        clock.shutdownNow();
        try {
            clock.awaitTermination(1, TimeUnit.SECONDS); // no tick after "stop"
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        report.print("stop", "token=" + fencingToken + " ticks=" + ticks);
    }
}
