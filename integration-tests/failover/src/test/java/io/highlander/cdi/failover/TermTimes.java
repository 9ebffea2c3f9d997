package io.highlander.cdi.failover;

import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each term acquired its lock and when its node stopped serving it, by fencing token, as the nodes' own events
 * say ({@link LeadershipAcquired#at()}, {@link LeadershipLost#at()}): the record that a failover's times are read
 * from. One per test, shared by every node.
 */
public final class TermTimes {

    private final Map<Long, Instant> acquiredAt = new ConcurrentHashMap<>();
    private final Map<Long, Instant> lostAt = new ConcurrentHashMap<>();

    /** @return when the term of {@code token} acquired its lock */
    public Instant acquired(long token) {
        return known(acquiredAt, token);
    }

    /** @return when the node of the term of {@code token} stopped serving it */
    public Instant lost(long token) {
        return known(lostAt, token);
    }

    private static Instant known(Map<Long, Instant> times, long token) {
        Instant at = times.get(token);
        if (at == null) {
            throw new IllegalStateException("no term with token " + token + " in " + times);
        }
        return at;
    }

    /** The nodes' observer: writes every term's start and end into the shared record. */
    @ApplicationScoped
    public static class Recorder {

        @Inject
        TermTimes times;

        void acquired(@Observes LeadershipAcquired event) {
            times.acquiredAt.putIfAbsent(event.fencingToken(), event.at());
        }

        void lost(@Observes LeadershipLost event) {
            times.lostAt.putIfAbsent(event.fencingToken(), event.at());
        }
    }
}
