package io.highlander.example.war;

import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.OfSingleton;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What this node saw of the {@link Pulse} singleton: its leadership events, whether its start-up found
 * {@code java:comp}, and its ticks. An ordinary {@code @ApplicationScoped} bean, so it lives on every node,
 * leader or not, and {@code /status} can read it anywhere.
 */
@ApplicationScoped
public class Journal {

    private static final System.Logger LOG = System.getLogger(Journal.class.getName());
    private static final int EVENTS_KEPT = 20;

    private final Deque<String> events = new ArrayDeque<>();
    private String lookupName;
    private String lookupFailure;
    private Boolean applicationClassLoader;
    private long ticks;
    private long lastToken;
    private final Deque<Long> firedAt = new ArrayDeque<>();

    void onAcquired(@Observes @OfSingleton(Pulse.NAME) LeadershipAcquired event) {
        LOG.log(System.Logger.Level.INFO, "leading {0} with fencing token {1}", event.singleton(), event.fencingToken());
        record("acquired token " + event.fencingToken() + " at " + event.at());
    }

    void onLost(@Observes @OfSingleton(Pulse.NAME) LeadershipLost event) {
        LOG.log(System.Logger.Level.INFO, "no longer leading {0} ({1})", event.singleton(), event.reason());
        record("lost token " + event.fencingToken() + " at " + event.at() + ": " + event.reason());
    }

    public synchronized void started(String lookedUp, String failure, boolean ownClassLoader) {
        lookupName = lookedUp;
        lookupFailure = failure;
        applicationClassLoader = ownClassLoader;
    }

    public synchronized void ticked(long token) {
        ticks++;
        lastToken = token;
        if (firedAt.size() == EVENTS_KEPT) {
            firedAt.removeFirst();
        }
        firedAt.addLast(java.time.Instant.now().getEpochSecond()); // the timer fires once a second, on the second
    }

    /** @return a consistent copy for the status endpoint */
    public synchronized Snapshot snapshot() {
        return new Snapshot(lookupName, lookupFailure, applicationClassLoader, ticks, lastToken, new ArrayList<>(events),
                new ArrayList<>(firedAt));
    }

    private synchronized void record(String event) {
        if (events.size() == EVENTS_KEPT) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    /**
     * @param lookupName             the {@code java:comp} name the singleton looked up, or {@code null} if it never started here
     * @param lookupFailure          why that lookup failed, or {@code null}
     * @param applicationClassLoader whether the start-up thread's context class loader was the application's
     * @param ticks                  ticks done on this node
     * @param lastToken              the fencing token of the last tick
     * @param events                 the latest leadership events, oldest first
     * @param firedAt                the epoch seconds of the latest ticks, oldest first
     */
    public record Snapshot(String lookupName, String lookupFailure, Boolean applicationClassLoader, long ticks,
                    long lastToken, List<String> events, List<Long> firedAt) {
    }
}
