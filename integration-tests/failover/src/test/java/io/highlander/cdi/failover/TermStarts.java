package io.highlander.cdi.failover;

import io.highlander.cdi.LeadershipAcquired;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each term's lock was acquired, by fencing token, as the nodes' own {@link LeadershipAcquired} events say
 * ({@code at}): the record a failover's time to a new leader is read from. One per test, shared by every node.
 */
public final class TermStarts {

    private final Map<Long, Instant> acquiredAt = new ConcurrentHashMap<>();

    /** @return when the term of {@code token} acquired its lock */
    public Instant of(long token) {
        Instant at = acquiredAt.get(token);
        if (at == null) {
            throw new IllegalStateException("no term with token " + token + " in " + acquiredAt);
        }
        return at;
    }

    /** The nodes' observer: writes every term's start into the shared record. */
    @ApplicationScoped
    public static class Recorder {

        @Inject
        TermStarts starts;

        void acquired(@Observes LeadershipAcquired event) {
            starts.acquiredAt.putIfAbsent(event.fencingToken(), event.at());
        }
    }
}
