package io.highlander.cdi;

import java.time.Instant;

/**
 * Fired, with the qualifier {@link OfSingleton}, after this node stopped leading a singleton and its
 * instance was destroyed ({@code @PreDestroy} has returned).
 *
 * <pre>{@code
 * void onLoss(@Observes @OfSingleton("nightly-report") LeadershipLost event) {
 *     if (event.reason() != LossReason.SHUTDOWN) alert(event);
 * }
 * }</pre>
 *
 * <p>Fired exactly once per term (per fencing token), after every {@link LeadershipAcquired} of that term,
 * also when no instance started in it; a supervised restart within the term fires no
 * {@code LeadershipLost}, only a new {@code LeadershipAcquired} with the same token. See
 * {@link LeadershipAcquired} for the pairing.
 *
 * <p>Observers run on the singleton's lifecycle thread, never on the thread that keeps the lock.
 *
 * @param singleton    the singleton's name
 * @param nodeId       this node's id
 * @param fencingToken the token of the term that ended
 * @param reason       why leadership ended
 * @param at           when this node stopped serving the singleton
 */
public record LeadershipLost(String singleton, String nodeId, long fencingToken, LossReason reason, Instant at) {
}
