package io.highlander.example;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.NotLeaderException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * The cluster singleton: while this node leads, it counts the ticks the {@link Metronome} lets through; on every
 * other node it does not exist. Highlander calls {@code @PostConstruct} when this node wins the lock and
 * {@code @PreDestroy} when it loses it (or the application stops).
 */
@ApplicationScoped
@ClusterSingleton(Ticker.NAME)
public class Ticker {

    /** The singleton's cluster-wide name: every node running this class competes for the same lock. */
    public static final String NAME = "ticker";

    /** How often it ticks, in milliseconds; 1000 unless set. */
    public static final String PERIOD_PROPERTY = "example.tick-ms";

    /**
     * The term this instance was created in. Its fencing token is a number that grows with every new leader:
     * hand it to whatever the singleton writes to, so that a stale leader's late writes can be rejected
     * ({@code ... WHERE fencing_token <= ?}, the token bound to it: the README's fencing statement).
     */
    @Inject
    Leadership leadership;
    @Inject
    Report report;

    private long ticks;
    private boolean stopped;

    @PostConstruct
    void start() {
        report.print("start", "token=" + leadership.fencingToken());
    }

    /**
     * One tick of work.
     *
     * @param now when the tick fired, read before anything else: if the check then passes, this node led at that
     *            instant (checked first, a pause between check and clock could stamp the tick with a time when it
     *            no longer led)
     */
    public synchronized void tick(Instant now) {
        if (stopped) {
            return; // a tick that reached the instance while it was being destroyed: no tick after "stop"
        }
        try {
            long token = leadership.check(); // local and cheap: is the lease still valid?
            report.print(now, "tick", "n=" + ++ticks + " token=" + token);
        } catch (NotLeaderException e) {
            // The process was frozen (GC, SIGSTOP) past its lease: another node may lead already.
            report.print(now, "refused", "token=" + leadership.fencingToken());
        }
    }

    @PreDestroy
    synchronized void stop() {
        stopped = true;
        report.print("stop", "token=" + leadership.fencingToken() + " ticks=" + ticks);
    }
}
