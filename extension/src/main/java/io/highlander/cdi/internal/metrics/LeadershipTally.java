package io.highlander.cdi.internal.metrics;

import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.LossReason;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * What this node counts about its elections, from the leadership events and the {@code @LeaderOnly} interceptor:
 * terms begun and lost by reason, the current term's start, each takeover's duration, and calls run. Registered by
 * the extension (one per container, so several nodes in one JVM count apart); it knows no metrics library.
 *
 * <p>A term is counted once, by its token: {@link LeadershipAcquired} fires again with the same token after a
 * supervised restart, and that is no new term.
 */
@Singleton
public class LeadershipTally {

    private final Map<String, Counts> bySingleton = new ConcurrentHashMap<>();
    /**
     * At most as many takeovers kept for meters published after they happened (the elections start before the
     * meters are published); a node has few singletons, and meters are published once, at start-up.
     */
    private static final int BACKLOG = 64;

    private final List<BiConsumer<String, Duration>> takeoverListeners = new CopyOnWriteArrayList<>();
    /** The first takeovers, told to each listener when it is added; guards the listeners' order of calls too. */
    private final List<Map.Entry<String, Duration>> backlog = new ArrayList<>();
    private final Clock clock;

    /** The tally on the system clock, as the container makes it. */
    public LeadershipTally() {
        this(Clock.systemUTC());
    }

    /** @param clock when events are seen, so that tests drive time instead of sleeping */
    LeadershipTally(Clock clock) {
        this.clock = clock;
    }

    void acquired(@Observes LeadershipAcquired event) {
        Counts counts = of(event.singleton());
        if (counts.token.getAndSet(event.fencingToken()) == event.fencingToken()) {
            return; // a supervised restart within the term
        }
        counts.termsBegun.increment();
        counts.termStart = event.at();
        // the event is fired once @PostConstruct has returned and carries when the lock was granted
        Duration takeover = Duration.between(event.at(), clock.instant());
        Duration measured = takeover.isNegative() ? Duration.ZERO : takeover;
        synchronized (backlog) { // one order for all: a listener added meanwhile sees each takeover exactly once
            if (backlog.size() < BACKLOG) {
                backlog.add(Map.entry(event.singleton(), measured));
            }
            takeoverListeners.forEach(listener -> listener.accept(event.singleton(), measured));
        }
    }

    void lost(@Observes LeadershipLost event) {
        Counts counts = of(event.singleton());
        counts.lost.get(event.reason()).increment();
        counts.termStart = null;
    }

    /**
     * Counts a {@code @LeaderOnly} call that this node let through.
     *
     * @param election the name of the election it is bound to
     */
    public void ranLeaderOnly(String election) {
        of(election).leaderOnlyRun.increment();
    }

    /**
     * @param listener told each takeover's duration, from lock granted to {@code @PostConstruct} done, by singleton;
     *                 first those seen before it was added (the first {@value #BACKLOG} of them)
     */
    public void onTakeover(BiConsumer<String, Duration> listener) {
        synchronized (backlog) {
            backlog.forEach(takeover -> listener.accept(takeover.getKey(), takeover.getValue()));
            takeoverListeners.add(listener);
        }
    }

    /** @param listener a listener given to {@link #onTakeover}, to forget */
    public void removeTakeoverListener(BiConsumer<String, Duration> listener) {
        takeoverListeners.remove(listener);
    }

    /**
     * @param singleton a singleton's (or a bean-less election's) name
     * @return how many terms began on this node
     */
    public long termsBegun(String singleton) {
        return of(singleton).termsBegun.sum();
    }

    /**
     * @param singleton a singleton's name
     * @param reason    why the terms ended
     * @return how many terms ended on this node for that reason
     */
    public long termsLost(String singleton, LossReason reason) {
        return of(singleton).lost.get(reason).sum();
    }

    /**
     * @param singleton a singleton's name
     * @return when this node's current term's lock was granted; empty between terms
     */
    public Optional<Instant> termStart(String singleton) {
        return Optional.ofNullable(of(singleton).termStart);
    }

    /**
     * @param singleton an election's name
     * @return how many {@code @LeaderOnly} calls bound to it this node let through
     */
    public long leaderOnlyRun(String singleton) {
        return of(singleton).leaderOnlyRun.sum();
    }

    /** @return now, on the clock the tally measures with */
    Instant now() {
        return clock.instant();
    }

    private Counts of(String singleton) {
        Counts counts = bySingleton.get(singleton);
        return counts != null ? counts : bySingleton.computeIfAbsent(singleton, name -> new Counts());
    }

    /** One singleton's counts; the term start is written on its lifecycle thread and read by scrapes. */
    private static final class Counts {
        final AtomicLong token = new AtomicLong(Long.MIN_VALUE);
        final LongAdder termsBegun = new LongAdder();
        final Map<LossReason, LongAdder> lost = new EnumMap<>(LossReason.class);
        final LongAdder leaderOnlyRun = new LongAdder();
        volatile Instant termStart;

        Counts() {
            for (LossReason reason : LossReason.values()) {
                lost.put(reason, new LongAdder()); // filled once, read concurrently afterwards
            }
        }
    }
}
