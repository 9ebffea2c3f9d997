package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.HighlanderSettings.StandbyMode;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.election.ElectionState.Ending;
import io.highlander.cdi.internal.election.ElectionState.Phase;
import io.highlander.cdi.internal.lock.Lease;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.PoolerDetectedException;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The <b>lock thread</b> of one election ({@code highlander-<name>-lock}): connects, competes, heartbeats, and
 * lets the lock go. It never runs user code, so a slow {@code @PostConstruct} cannot cost the lock. It moves the
 * {@link Election} only through its transitions.
 *
 * <p>It opens a lock session only when it competes: never through a hold-off or while the last instance is
 * still being destroyed, where the server would end the idle session after L. An interrupt means the container
 * is stopping its threads: the election closes, once, and the flag is cleared, so the thread never spins.
 */
final class LockThread {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Election election;
    private final String name;
    private final LockKey key;
    private final HighlanderSettings settings;
    private final ConnectionSource connections;
    private final LeaderSightings sightings;
    /** The open session, so that close() can cancel a wait; not part of any decision. */
    private volatile LockSession session;
    private volatile Thread thread;

    LockThread(Election election, LockKey key, HighlanderSettings settings, ConnectionSource connections,
               LeaderSightings sightings) {
        this.election = election;
        this.name = election.name();
        this.key = key;
        this.settings = settings;
        this.connections = connections;
        this.sightings = sightings;
    }

    void start(LifecycleThreads threads) {
        thread = threads.newThread("highlander-" + name + "-lock", this::run);
        thread.start();
    }

    /** Any thread: the state changed; look again (and stop a standby's wait when closing). */
    void wake() {
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
        LockSession open = session;
        ElectionState now = election.state();
        if (open != null && now.closing() && now.phase() == Phase.STANDBY) {
            open.cancel(); // ends a standby's blocking wait
        }
    }

    /** Waits for the thread to end, at most {@code millis}; aborts its session if it does not. */
    void awaitEnd(long millis) {
        Thread current = thread;
        if (current == null || current == Thread.currentThread()) {
            return;
        }
        try {
            current.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LockSession open = session;
        if (current.isAlive() && open != null) {
            open.abandon();
        }
    }

    /** @return whether it holds a connection now */
    boolean connected() {
        return session != null;
    }

    private void run() {
        long backoff = MIN_BACKOFF_NANOS;
        try {
            while (!election.state().closing() && election.state().phase() != Phase.FAILED) {
                awaitHoldOff(); // before connecting: an idle session would be ended by the server after L
                if (election.state().closing()) {
                    break;
                }
                LockSession current = null;
                try {
                    current = LockSession.open(connections, name, settings.nodeId(), settings.lease(),
                            settings.standbyInterval());
                    session = current;
                    sightings.connected(current.server().database());
                    backoff = MIN_BACKOFF_NANOS;
                    election.standby();
                    Term won = compete(current);
                    if (won == null || !election.begin(won)) {
                        current.release(key);
                    } else {
                        lead(won);
                    }
                } catch (PoolerDetectedException e) {
                    LOG.log(Level.ERROR, e.getMessage());
                    abandon(current);
                    election.fail();
                    return;
                } catch (SQLException e) {
                    abandon(current);
                    if (!election.state().closing()) {
                        sightings.problem(e);
                        pause(backoff);
                        backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, Messages.unexpected(name), e);
                    abandon(current);
                    pause(MAX_BACKOFF_NANOS);
                } finally {
                    session = null;
                }
            }
        } catch (Error e) {
            // e.g. a NoClassDefFoundError: this thread cannot go on, so say so and stop serving
            LOG.log(Level.ERROR, Messages.unexpected(name), e);
            election.fail();
            throw e;
        } finally {
            election.closed();
        }
    }

    /** Stays out of the election, with no session open, until the hold-off of a step-down is over. */
    private void awaitHoldOff() {
        while (true) {
            ElectionState s = election.state();
            long left = s.holdOffUntil() - System.nanoTime();
            if (s.closing() || s.phase() != Phase.DISABLED || left <= 0) {
                return;
            }
            park(left);
        }
    }

    /** Waits for the lock; returns the new term, or {@code null} if closing. */
    private Term compete(LockSession current) throws SQLException {
        try {
            if (!election.state().closing() && current.tryAcquire(key)) {
                return acquired(current);
            }
            sightings.saw(current.holderOf(key));
            while (!election.state().closing()) {
                boolean acquired;
                if (settings.standbyMode() == StandbyMode.BLOCKING) {
                    acquired = current.awaitAcquire(key);
                    checkInterrupt();
                } else {
                    pause(settings.standbyInterval().toNanos());
                    acquired = !election.state().closing() && current.tryAcquire(key);
                }
                if (acquired) {
                    return acquired(current);
                }
            }
            return null;
        } catch (SQLException e) {
            if (election.state().closing() && !(e instanceof PoolerDetectedException)) {
                return null; // the wait was cancelled by close()
            }
            throw e;
        }
    }

    private Term acquired(LockSession current) throws SQLException {
        Lease lease = new Lease(settings.lease(), settings.stopMargin(), System::nanoTime);
        long sentAt = lease.now();
        long token = current.fencingToken();
        lease.begin(sentAt);
        return new Term(token, lease, current, Instant.now());
    }

    /** Leads until the term ends, then lets the lock go and waits until the instance is destroyed. */
    private void lead(Term won) throws PoolerDetectedException {
        try {
            keepLeading(won);
        } catch (PoolerDetectedException e) {
            LOG.log(Level.ERROR, e.getMessage());
            election.endTerm(won, LossReason.POOLER_DETECTED, null);
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, Messages.unexpected(name), e);
            election.endTerm(won, LossReason.CONNECTION_LOST, null);
        } finally {
            election.endTerm(won, LossReason.CONNECTION_LOST, null); // a no-op unless something unexpected escaped
            stop(won);
        }
    }

    /** Heartbeats until the term ends (by this thread, or by the watchdog at the deadline). */
    private void keepLeading(Term won) throws PoolerDetectedException {
        long heartbeat = settings.heartbeat().toNanos();
        long nextBeat = System.nanoTime() + heartbeat;
        while (true) {
            ElectionState s = election.state();
            if (!s.runs(won)) {
                return; // the watchdog ended it at the deadline
            }
            if (s.closing() || s.stepDown() != null) {
                election.endTerm(won, s.closing() ? LossReason.SHUTDOWN : s.stepDown().reason(), null);
                return;
            }
            long wait = nextBeat - System.nanoTime();
            if (wait > 0) {
                park(wait);
                continue;
            }
            long remaining = won.lease().remainingNanos();
            if (remaining <= 0) {
                election.endTerm(won, LossReason.LEASE_EXPIRED, null);
                return;
            }
            long sentAt = won.lease().now();
            try {
                // wait for the answer until s + L, not s + L − m: a driver that gives up closes the socket, and the
                // server then releases the lock at once, while the margin m is meant for @PreDestroy
                won.session().heartbeat(Duration.ofNanos(remaining + settings.stopMargin().toNanos()));
            } catch (PoolerDetectedException e) {
                throw e;
            } catch (SQLException e) {
                boolean expired = won.lease().remainingNanos() <= 0;
                election.endTerm(won, expired ? LossReason.LEASE_EXPIRED : LossReason.CONNECTION_LOST,
                        Election.describe(e));
                return;
            }
            won.lease().renew(sentAt); // does nothing once the term ended: an ended lease is never renewed
            nextBeat = sentAt + heartbeat;
        }
    }

    /**
     * After the term ended: keeps the lock until the instance is destroyed or {@code letGoBy} (heartbeating only
     * on a graceful end; an ended lease is never renewed), lets it go, then waits for the instance with no
     * session open.
     */
    private void stop(Term ended) {
        ElectionState s = election.state();
        Ending how = s.term() == ended ? s.ending() : null;
        if (how == null) {
            return;
        }
        long heartbeat = settings.heartbeat().toNanos();
        while (election.state().phase() == Phase.ENDING && !how.stopped().isDone()) {
            long left = how.letGoBy() - System.nanoTime();
            if (left <= 0) {
                break;
            }
            awaitStopped(how, Math.min(left, heartbeat));
            if (how.graceful() && !how.stopped().isDone() && election.state().phase() == Phase.ENDING) {
                try {
                    ended.session().heartbeat(settings.heartbeat()); // keep the lock until we have stopped
                } catch (SQLException e) {
                    if (election.state().phase() == Phase.ENDING) {
                        sightings.problem(e); // not when the watchdog let the lock go under our feet
                    }
                    break;
                }
            }
        }
        election.letGo(ended, false);
        while (!how.stopped().isDone() && !election.state().closing()) {
            awaitStopped(how, TimeUnit.MILLISECONDS.toNanos(100));
        }
        election.finish(ended);
    }

    private void awaitStopped(Ending how, long nanos) {
        try {
            how.stopped().get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // keep waiting until it is done, or the bound
        } catch (InterruptedException e) {
            election.interrupted();
        }
    }

    /** Parks; an interrupt closes the election once and is then cleared, so nothing spins. */
    private void park(long nanos) {
        LockSupport.parkNanos(this, nanos);
        checkInterrupt();
    }

    private void checkInterrupt() {
        if (Thread.interrupted()) {
            election.interrupted();
        }
    }

    private void pause(long nanos) {
        long until = System.nanoTime() + nanos;
        while (!election.state().closing() && System.nanoTime() - until < 0) {
            park(until - System.nanoTime());
        }
    }

    private static void abandon(LockSession session) {
        if (session != null) {
            session.abandon();
        }
    }
}
