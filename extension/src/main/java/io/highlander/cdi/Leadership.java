package io.highlander.cdi;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * A leadership term of one election, with its fencing token. Inside a {@link ClusterSingleton} bean, inject it
 * without a qualifier: it is the term the instance was created in, so that work begun in one term can never be
 * mistaken for work of a later one, even on the same node.
 *
 * <pre>{@code
 * @ApplicationScoped @ClusterSingleton("nightly-report")
 * class NightlyReport {
 *     @Inject Leadership leadership;
 *
 *     void write(Report report) {
 *         long token = leadership.check();     // throws NotLeaderException once the lease ran out
 *         repository.save(report, token);      // a stale leader's write must change nothing, see below
 *     }
 * }
 * }</pre>
 *
 * A pause can still fall between the check and the write, so the resource accepts a write only if its token is at
 * least the highest it has seen. For a row in PostgreSQL, bind the token to the second and to the last parameter
 * and stop when the update count is 0:
 * {@code UPDATE report SET body = ?, fencing_token = ? WHERE id = ? AND fencing_token <= ?}
 * (the README's statement).
 *
 * Anywhere else, select the election by name with {@link OfSingleton}: {@code @Inject @OfSingleton("nightly-report")
 * Leadership leadership}. That one follows the election from term to term: it answers for whatever term this node
 * holds at the moment of the call. Names are those of {@link ClusterSingleton} beans and of {@link LeaderOnly}
 * bindings.
 *
 * <p>Every method answers from local state, without a database round trip (see {@link LeaderElector#isLeader}).
 */
public interface Leadership {

    /** @return the election's name */
    String singleton();

    /**
     * @return whether the term still runs on this node and its lease has not run out; a long-running task asks
     *         before each unit of work
     */
    boolean isValid();

    /**
     * @return the term's fencing token, to hand to downstream systems
     * @throws NotLeaderException if there is no term (this node does not lead)
     */
    long fencingToken();

    /**
     * @return when this node acquired the lock for the term
     * @throws NotLeaderException if there is no term (this node does not lead)
     */
    Instant since();

    /**
     * Throws unless {@link #isValid()}; the guard before a write that must not come from a stale leader.
     *
     * @return the term's fencing token
     * @throws NotLeaderException if the term is over or its lease has run out
     */
    long check();

    /**
     * Fences the application's open transaction on {@code connection} by this term: call it inside the transaction,
     * before or among its writes, on a connection to the database the elections use. The guarantee:
     * <ul>
     *   <li>the transaction can commit only while no later term of this singleton has begun anywhere in the cluster:
     *       the next term does not begin (no {@code @PostConstruct}, no {@code LeadershipAcquired}) until every
     *       transaction fenced by an earlier term has ended, committed or rolled back;</li>
     *   <li>if the term is already over at the database (this node's node session ended, a new node took the lock),
     *       the call throws, and the transaction must be rolled back (a framework does that on the exception);</li>
     *   <li>a fenced transaction that sits idle longer than the lease (a frozen JVM, a lost thread) is ended by the
     *       server ({@code idle_in_transaction_session_timeout}, set for this transaction only), so it cannot hold
     *       the next term back for longer than about the lease; its later commit then fails.</li>
     * </ul>
     * So every write of term T that commits is ordered before any write of term T+1. And when term T ends on this node
     * (a step-down, a shutdown, its lock's session lost, its lease run out), a connection fenced by it and still open
     * is aborted ({@link Connection#abort}): its transaction rolls back and its {@code commit} fails; close (or give
     * back to its pool) a fenced connection once its transaction ended. No column in the application's
     * tables, no SQL of the application's: one statement (one round trip) that takes a shared transaction-level
     * advisory lock in Highlander's namespace and reads {@code pg_locks}. Works with a pooled connection and inside
     * JTA transactions; not behind a pooler in transaction mode. Why it is safe: docs/design/fencing.md.
     *
     * @param connection a connection in an open transaction (autocommit off, or enlisted in a JTA transaction; a
     *                   pooled connection lent with autocommit off outside any JTA transaction, as Payara's are, is a
     *                   local transaction the application commits itself)
     * @return the term's fencing token
     * @throws NotLeaderException    if the term is over, here or at the database
     * @throws IllegalStateException if the connection is in autocommit (no transaction to fence)
     * @throws SQLException          if the statement fails
     */
    long fence(Connection connection) throws SQLException;
}
