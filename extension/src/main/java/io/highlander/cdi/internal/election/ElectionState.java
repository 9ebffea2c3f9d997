package io.highlander.cdi.internal.election;

import io.highlander.cdi.LossReason;
import io.highlander.cdi.SingletonState;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Everything an {@link Election} decides by, as one immutable value. The election keeps it in an
 * {@code AtomicReference} and changes it only by compare-and-set, one transition method each; so two threads
 * can never both act on one state (only one wins the swap), and a term's end and the next term's start cannot
 * interleave: a term begins only from {@link Phase#STANDBY}, which the lock thread reaches only after the last
 * term's lock was let go and its instance was destroyed.
 *
 * @param phase        where the election stands
 * @param term         the current term, in {@code ACQUIRED}, {@code LEADING}, {@code ENDING} and {@code STOPPING}
 * @param stepDown     a step-down asked for the current term (only while it runs), or {@code null}
 * @param ending       how the current term ends, from {@code ENDING} on, or {@code null}
 * @param holdOffUntil in {@code DISABLED}: the {@link System#nanoTime} until which this node stays out
 * @param closing      whether the election is to stop for good
 * @param lastToken    the fencing token of the current or last term, or -1
 * @param since        when the public state last changed
 */
record ElectionState(Phase phase, Term term, StepDown stepDown, Ending ending, long holdOffUntil, boolean closing,
                     long lastToken, Instant since) {

    /** Where an election stands; see {@link Election} for who moves it from where to where. */
    enum Phase {
        /** Not yet connected. */
        STARTING(SingletonState.STARTING),
        /** Connected or connecting, competing for the lock; no term. */
        STANDBY(SingletonState.STANDBY),
        /** Out of the election until {@code holdOffUntil}; no lock session open. */
        DISABLED(SingletonState.DISABLED),
        /** Holds the lock; the instance is not yet open for calls. */
        ACQUIRED(SingletonState.LEADING),
        /** Holds the lock and serves calls while the lease is valid. */
        LEADING(SingletonState.LEADING),
        /** The term is over, calls are refused, the instance is being destroyed; the lock is still ours. */
        ENDING(SingletonState.STOPPING),
        /** The lock was let go; the instance may still be being destroyed. */
        STOPPING(SingletonState.STOPPING),
        /** Stopped for good (a pooler was detected, or the lock thread died). */
        FAILED(SingletonState.FAILED),
        /** Closed. */
        CLOSED(SingletonState.CLOSED);

        final SingletonState visible;

        Phase(SingletonState visible) {
            this.visible = visible;
        }
    }

    /**
     * A step-down asked for the running term.
     *
     * @param reason       what the loss is reported as
     * @param holdOffNanos how long to stay out afterwards
     */
    record StepDown(LossReason reason, long holdOffNanos) {
    }

    /**
     * How a term ends.
     *
     * @param reason       why
     * @param graceful     whether the lock thread keeps the lock alive (heartbeats) while the instance stops
     * @param letGoBy      the {@link System#nanoTime} by which the lock is let go even if the instance has not
     *                     stopped: now for a lost connection, {@code s + L} for an expired lease, now + L for a
     *                     graceful stop
     * @param holdOffNanos how long to stay out of the election afterwards
     * @param stopped      completes when the instance is destroyed (before {@code LeadershipLost} is fired)
     * @param destroying   completes with the ticker's reading when {@code @PreDestroy} begins
     */
    record Ending(LossReason reason, boolean graceful, long letGoBy, long holdOffNanos, CompletableFuture<Void> stopped,
                  CompletableFuture<Long> destroying) {
    }

    static ElectionState initial() {
        return new ElectionState(Phase.STARTING, null, null, null, 0, false, -1, Instant.now());
    }

    /** @return whether {@code candidate} is the running term (not yet ending) */
    boolean runs(Term candidate) {
        return candidate != null && term == candidate && (phase == Phase.ACQUIRED || phase == Phase.LEADING);
    }

    /** @return the running term, or {@code null} */
    Term runningTerm() {
        return phase == Phase.ACQUIRED || phase == Phase.LEADING ? term : null;
    }

    ElectionState to(Phase next, Term nextTerm, StepDown nextStepDown, Ending nextEnding, long nextHoldOff) {
        Instant changed = next.visible == phase.visible ? since : Instant.now();
        long token = nextTerm != null ? nextTerm.fencingToken() : lastToken;
        return new ElectionState(next, nextTerm, nextStepDown, nextEnding, nextHoldOff, closing, token, changed);
    }

    ElectionState withStepDown(StepDown request) {
        return new ElectionState(phase, term, request, ending, holdOffUntil, closing, lastToken, since);
    }

    ElectionState closingNow() {
        return new ElectionState(phase, term, stepDown, ending, holdOffUntil, true, lastToken, since);
    }
}
