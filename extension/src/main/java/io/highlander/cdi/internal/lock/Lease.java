package io.highlander.cdi.internal.lock;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The time until which this node may act as leader without asking PostgreSQL again.
 *
 * <h2>Why the leader always stops before another node can take the lock</h2>
 * The lock session runs with {@code idle_session_timeout = L} (and {@code idle_in_transaction_session_timeout
 * = L}; it stays in autocommit). Let {@code s} be the local monotonic time at which the last
 * <em>acknowledged</em> statement on the session was <em>sent</em>.
 * <ol>
 *   <li>The server received that statement after {@code s} and finished it later still, so its idle timer
 *       started after {@code s}: it cannot end the session, and so release the lock, before {@code s + L}
 *       on the server's clock.</li>
 *   <li>No other node can acquire a session lock that another session still holds.</li>
 *   <li>This node stops serving the singleton at {@code s + L − m} on its own clock
 *       ({@link #isValid()} turns false, calls are refused, {@code @PreDestroy} is started), and finishes
 *       stopping within {@code m} if {@code @PreDestroy} takes less than {@code m}. It does not let the lock go
 *       itself (release or abort) before {@code @PreDestroy} has returned or {@code s + L} has come, whichever
 *       is first, and never renews an ended lease: otherwise its own release would hand the lock over while
 *       the old instance is still stopping.</li>
 *   <li>Hence the old instance is gone before {@code s + L}, before the lock can change hands.</li>
 * </ol>
 * Assumptions, each needed by step 1 or 3:
 * <ul>
 *   <li><b>Clock rate.</b> The two monotonic clocks advance at the same rate to within {@code m} over {@code L}
 *       (they drift by parts per million; {@code m} defaults to L/10).</li>
 *   <li><b>No wall-clock steps on the database host.</b> PostgreSQL's {@code idle_session_timeout} compares
 *       wall-clock timestamps, so a clock stepped forward on the server (an NTP step, a manual
 *       {@code date -s}, a VM resumed from a snapshot) ends the session early by the size of the step. Let the
 *       server's clock be slewed, never stepped, while nodes hold locks (chrony's {@code makestep} only at
 *       boot; ntpd with {@code -x}).</li>
 *   <li><b>Stopping in time.</b> {@code @PreDestroy} returns within {@code m}.</li>
 *   <li><b>No earlier server-side end.</b> Nothing else on the server ends the session before {@code L}: the
 *       lock session pins {@code tcp_keepalives_idle}/{@code _interval} to at least L,
 *       {@code tcp_user_timeout} to 2L (see below); the operating system's {@code tcp_retries2} on the database host must not give up on a
 *       connection in less than L (Linux's default, 15 retries, takes about 15 minutes); and nobody ends the
 *       session on purpose (see below).</li>
 * </ul>
 *
 * <h2>Several terms on one node session</h2>
 * Every term of the node holds its lock on the one node session, each with its own lease: a term begun by a try
 * counts from that try's send time, and an expired lease is not revived, so two terms on the session can have
 * different deadlines (one ran out while a statement was in flight; the answer to that statement began another).
 * Step 3 is a promise per term, but aborting the session lets go of <em>every</em> lock on it. So an expired lease
 * aborts the session only when no other term on it still holds its lock (running, or ending and not yet let go by its
 * own step 3); otherwise only the expired term's lock is unlocked, announced {@code abandoned}, on the session that a
 * later acknowledgement proved alive. Letting that one lock go at its own {@code s + L} (or once its instance stopped)
 * is what step 3 allows for it, and the others keep theirs until their own step 3: no lock leaves before its instance
 * is gone or its own {@code s + L} has come. Keeping a lock longer (the unlock waits for the loop, which may be in a
 * round trip bounded by the session's own {@code s + L}) costs liveness, never safety: nobody can take a held lock.
 * The last term on the session to be let go aborts it if it must (FINDINGS.md 5 of the simulation).
 *
 * <h2>Why {@code tcp_user_timeout} is 2L, not L</h2>
 * {@code tcp_user_timeout} is how long data the server's kernel sent may stay unacknowledged before it drops the
 * connection (and so the locks). Before the node session {@code LISTEN}s the server sends only replies, each after
 * a statement it received after that statement's send time, so any byte it sends was sent after the {@code s} of the
 * statement it answers and a bound of L cannot end the session before {@code s + L}. Once it listens, the server
 * also sends notices of its own accord, at any time: a notice sent at {@code t < s}, on a link that then loses the
 * client's acknowledgements, is dropped at {@code t + tcp_user_timeout}, which can be before {@code s + L}. That
 * notice precedes, in the stream, the reply to the statement sent at {@code s}, so the node only counts from
 * {@code s} after receiving it, and the client's kernel acknowledges it with every segment it sends after that; it
 * can still be unacknowledged at {@code s + L} only if it was in flight when the statement at {@code s} was sent, and
 * a byte in flight, unacknowledged, since before {@code s − L} would have held back the replies to every statement
 * sent after it, so the node, whose every round trip is bounded by L from its last acknowledged send, would have
 * abandoned the session before sending anything at {@code s}. Hence {@code t > s − L}, and with 2L the server cannot drop the session before {@code t + 2L > s + L}. A proxy between node and
 * server (a load balancer, pgbouncer in session mode) must not end an idle or unacknowledged connection sooner than
 * this either: set its idle and TCP timeouts above 2L.
 *
 * <p>Not covered, by design: the server ending the session early ({@code pg_terminate_backend}, a restart
 * or crash). The old leader's node session waits for the server in a socket read between statements, so it
 * learns of it within milliseconds (4–7 ms measured for a restart, PG-SEMANTICS §5c), and two instances may
 * overlap for that time plus the stop time; where the connection cannot be unwrapped to pgjdbc it learns at its
 * next heartbeat, as before (one heartbeat interval plus the stop time). The lease is the node session's: every
 * term on it is renewed by every acknowledged statement of that session (the heartbeat, a try, an unlock), and a
 * term begun by a try counts from that try's send time (docs/design/election.md, "Token on the acquiring statement"). Neither can a lease stop a thread that is paused (GC,
 * SIGSTOP) right after it checked {@link #isValid()}; the fencing token exists for that case.
 *
 * <p>Pure arithmetic: time comes from the injected ticker ({@link System#nanoTime} in production), and
 * instants are compared by subtraction so that the ticker's overflow does no harm.
 */
public final class Lease {

    private final long leaseNanos;
    private final long marginNanos;
    private final LongSupplier ticker;
    private volatile long expiresAt;
    private volatile boolean held;

    /**
     * @param lease  L, the server's {@code idle_session_timeout}
     * @param margin m, the time reserved for stopping the singleton
     * @param ticker a monotonic clock in nanoseconds
     */
    public Lease(Duration lease, Duration margin, LongSupplier ticker) {
        this.leaseNanos = lease.toNanos();
        this.marginNanos = margin.toNanos();
        this.ticker = ticker;
    }

    /** @return the current reading of this lease's clock */
    public long now() {
        return ticker.getAsLong();
    }

    /**
     * Starts a term: the statement that acquired the lock was sent at {@code sentAt} and acknowledged.
     *
     * @param sentAt the ticker's reading just before that statement was sent
     */
    public void begin(long sentAt) {
        expiresAt = sentAt + leaseNanos - marginNanos;
        held = true;
    }

    /**
     * Extends the term after a statement sent at {@code sentAt} was acknowledged. Never moves the expiry
     * back, and does nothing once the lease has run out or ended: an expired lease is not revived.
     *
     * @param sentAt the ticker's reading just before that statement was sent
     */
    public void renew(long sentAt) {
        long candidate = sentAt + leaseNanos - marginNanos;
        if (isValid() && candidate - expiresAt > 0) {
            expiresAt = candidate;
        }
    }

    /** Ends the term: this node no longer claims the lock. */
    public void end() {
        held = false;
    }

    /** @return whether this node may still act as leader now */
    public boolean isValid() {
        return held && ticker.getAsLong() - expiresAt < 0;
    }

    /** @return nanoseconds until the lease runs out; zero or less once it has, or if it is not held */
    public long remainingNanos() {
        return held ? expiresAt - ticker.getAsLong() : 0;
    }
}
