package io.highlander.cdi;

import java.time.Instant;

/**
 * Fired, with the qualifier {@link OfSingleton}, right after this node gained leadership of a singleton
 * and its instance was created ({@code @PostConstruct} has returned).
 *
 * <pre>{@code
 * void onGain(@Observes LeadershipAcquired event) {
 *     log.info(event.singleton() + " now runs here, token " + event.fencingToken());
 * }
 * }</pre>
 *
 * <p><b>Pairing with {@link LeadershipLost}.</b> A term (one fencing token) fires {@code LeadershipAcquired}
 * each time an instance of it starts serving: once when its first instance's {@code @PostConstruct} returned,
 * and again, with the same token, after every supervised restart (a failed start, or
 * {@link LeaderElector#reportFailure}) that created a new instance, and after the application destroyed the
 * instance itself ({@code Instance.destroy}) and a new one was made. It fires {@link LeadershipLost} exactly
 * once, when the term ends, even if no instance ever started in it (e.g. {@link LossReason#SINGLETON_FAILED}
 * after starts that all failed). So count terms by token: every token seen in an {@code LeadershipAcquired}
 * is later seen in exactly one {@code LeadershipLost}, fired after this node's last instance of that term
 * was destroyed. Events of one singleton on one node are fired one after another, in this order.
 *
 * <p>Observers run on the singleton's lifecycle thread, never on the thread that keeps the lock. The
 * event may be stale by the time it is seen: leadership can be lost again at any moment. Code that
 * must never act as a stale leader checks {@link LeaderElector#isLeader(String)} or passes the
 * {@link #fencingToken()} to the system it writes to.
 *
 * @param singleton    the singleton's name
 * @param nodeId       this node's id
 * @param fencingToken a number that strictly increases with every leadership term of every singleton
 *                     in the PostgreSQL cluster (a transaction id taken right after the lock was acquired)
 * @param at           when the lock was acquired
 */
public record LeadershipAcquired(String singleton, String nodeId, long fencingToken, Instant at) {
}
