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
