package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.HighlanderSettings.StandbyMode;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.SingletonState;
import io.highlander.cdi.SingletonStatus;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.events.LeadershipNotifier;
import io.highlander.cdi.internal.lock.Lease;
import io.highlander.cdi.internal.lock.LockHolder;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.PoolerDetectedException;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The election of one singleton on this node: the only place that decides whether this node leads it.
 *
 * <p>Three threads, each with one job:
 * <ul>
 *   <li>the <b>lock thread</b> ({@code highlander-<name>-lock}) connects, competes, heartbeats and releases;
 *       it never runs user code, so a slow {@code @PostConstruct} cannot cost the lock;</li>
 *   <li>the <b>lifecycle thread</b> ({@code highlander-<name>-lifecycle}) creates and destroys the instance
 *       and fires the events, one after another, so terms never overlap on this node;</li>
 *   <li>the node's <b>lease watchdog</b> ends a term at its {@link Lease} deadline even if the lock thread
 *       is stuck in a network call.</li>
 * </ul>
 * A term ends exactly once ({@link Term#end()}); ending it refuses calls at once, then queues the
 * instance's destruction.
 */
public final class Election {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final Bean<?> bean;
    private final LockKey key;
    private final HighlanderSettings settings;
    private final ConnectionSource connections;
    private final ClusterSingletonContext context;
    private final LeadershipNotifier notifier;
    private final BeanManager beanManager;
    private final LifecycleThreads threads;
    private final ScheduledExecutorService watchdog;
    private final ExecutorService lifecycle;

    private volatile SingletonState state = SingletonState.STARTING;
    private volatile Instant since = Instant.now();
    private volatile String knownLeader;
    private volatile long lastToken = -1;
    private volatile String database;
    private volatile Term term;
    private volatile LockSession session;
    private volatile boolean closing;
    private volatile boolean stepDownRequested;
    private volatile LossReason stepDownReason = LossReason.STEPPED_DOWN;
    private volatile long holdOffUntil;
    private volatile Future<?> lastStop;
    private final Supervisor supervisor;
    private volatile String lastProblem;
    private Thread lockThread;

    Election(String name, Bean<?> bean, HighlanderSettings settings, ConnectionSource connections,
             ClusterSingletonContext context, LeadershipNotifier notifier, BeanManager beanManager,
             LifecycleThreads threads, ScheduledExecutorService watchdog) {
        this.name = name;
        this.bean = bean;
        this.key = LockKey.of(settings.namespace(), name);
        this.settings = settings;
        this.connections = connections;
        this.context = context;
        this.notifier = notifier;
        this.beanManager = beanManager;
        this.threads = threads;
        this.watchdog = watchdog;
        this.lifecycle = threads.singleThread("highlander-" + name + "-lifecycle");
        this.supervisor = new Supervisor(settings.maxFailures(), settings.failureWindow(), settings.restartBackoff(),
                System::nanoTime);
        context.register(bean, this::refusal);
    }

    /** Starts competing. */
    void start() {
        lockThread = threads.newThread("highlander-" + name + "-lock", this::run);
        lockThread.start();
    }

    /**
     * Stops for good: a leader destroys its instance and releases the lock at once; a standby stops
     * waiting. Returns when done, or after the bound.
     */
    void close() {
        requestClose();
        awaitClosed();
    }

    void requestClose() {
        closing = true;
        wake();
    }

    void awaitClosed() {
        Thread thread = lockThread;
        if (thread != null) {
            long bound = settings.lease().plus(settings.standbyInterval()).plusSeconds(1).toMillis();
            try {
                thread.join(bound);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LockSession current = session;
            if (thread.isAlive() && current != null) {
                current.abandon();
            }
        }
        lifecycle.shutdown();
        try {
            lifecycle.awaitTermination(settings.lease().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state(SingletonState.CLOSED);
    }

    /** @param holdOff how long to stay out of the election afterwards */
    void stepDown(Duration holdOff) {
        stepDown(holdOff, LossReason.STEPPED_DOWN);
    }

    private void stepDown(Duration holdOff, LossReason reason) {
        if (term != null) {
            holdOffUntil = System.nanoTime() + holdOff.toNanos();
            stepDownReason = reason;
            stepDownRequested = true;
            wake();
        }
    }

    /** The instance failed while running: replace it, or step down if it fails too often. */
    void reportFailure(Throwable cause) {
        Term current = term;
        if (current != null && current.lease.isValid()) {
            lifecycle.execute(() -> {
                if (!current.ended()) {
                    destroyInstance();
                    failed(current, cause);
                }
            });
        }
    }

    /** True once the term's instance may be called (the context is open), and until the lease runs out. */
    boolean isLeader() {
        Term current = term;
        return current != null && current.serving() && current.lease.isValid();
    }

    long checkLeadership() {
        Term current = term;
        if (current == null || !current.serving() || !current.lease.isValid()) {
            throw refusal();
        }
        return current.fencingToken;
    }

    /** @return who leads now: this node, or as PostgreSQL shows it (a short-lived extra connection) */
    Optional<String> leader() {
        if (isLeader()) {
            return Optional.of(settings.nodeId());
        }
        try (Connection connection = connections.connect()) {
            Optional<String> holder = LockSession.holderOf(connection, key).flatMap(LockHolder::nodeId);
            knownLeader = holder.orElse(null);
            return holder;
        } catch (SQLException e) {
            return Optional.ofNullable(knownLeader);
        }
    }

    SingletonStatus status() {
        long token = lastToken;
        return new SingletonStatus(name, settings.nodeId(), state, Optional.ofNullable(knownLeader),
                token < 0 ? OptionalLong.empty() : OptionalLong.of(token), since, supervisor.restarts(),
                Optional.ofNullable(database));
    }

    String name() {
        return name;
    }

    /** @return whether the lock thread holds a connection now */
    boolean connected() {
        return session != null;
    }

    private NotLeaderException refusal() {
        String leader = knownLeader;
        if (settings.nodeId().equals(leader)) {
            leader = null;
        }
        return new NotLeaderException(name, leader, Messages.notLeader(name, settings.nodeId(), leader));
    }

    // ---- the lock thread ----

    private void run() {
        long backoff = MIN_BACKOFF_NANOS;
        while (!closing) {
            LockSession current = null;
            try {
                current = LockSession.open(connections, name, settings.nodeId(), settings.lease(), settings.standbyInterval());
                session = current;
                database = current.server().database();
                lastProblem = null;
                backoff = MIN_BACKOFF_NANOS;
                Term won = compete(current);
                if (won == null) {
                    current.release(key);
                } else {
                    lead(won);
                }
            } catch (PoolerDetectedException e) {
                LOG.log(Level.ERROR, e.getMessage());
                loseTerm(LossReason.POOLER_DETECTED);
                abandon(current);
                state(SingletonState.FAILED);
                return;
            } catch (SQLException e) {
                loseTerm(LossReason.CONNECTION_LOST);
                abandon(current);
                if (!closing) {
                    reportProblem(e);
                    pause(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, Messages.unexpected(name), e);
                loseTerm(LossReason.CONNECTION_LOST);
                abandon(current);
                pause(MAX_BACKOFF_NANOS);
            } catch (Error e) {
                // e.g. a NoClassDefFoundError: this thread cannot go on, so say so and stop serving
                LOG.log(Level.ERROR, Messages.unexpected(name), e);
                loseTerm(LossReason.CONNECTION_LOST);
                abandon(current);
                state(SingletonState.FAILED);
                throw e;
            } finally {
                session = null;
            }
        }
    }

    /** Waits for the lock; returns the new term, or {@code null} if closing. */
    private Term compete(LockSession current) throws SQLException {
        awaitStopped();
        if (!closing && System.nanoTime() - holdOffUntil < 0) {
            state(SingletonState.DISABLED);
            while (!closing && System.nanoTime() - holdOffUntil < 0) {
                LockSupport.parkNanos(this, holdOffUntil - System.nanoTime());
            }
        }
        state(SingletonState.STANDBY);
        try {
            if (!closing && current.tryAcquire(key)) {
                return begin(current);
            }
            knownLeader = current.holderOf(key).flatMap(LockHolder::nodeId).orElse(null);
            while (!closing) {
                boolean acquired;
                if (settings.standbyMode() == StandbyMode.BLOCKING) {
                    acquired = current.awaitAcquire(key);
                } else {
                    pause(settings.standbyInterval().toNanos());
                    acquired = !closing && current.tryAcquire(key);
                }
                if (acquired) {
                    return begin(current);
                }
            }
            return null;
        } catch (SQLException e) {
            if (closing && !(e instanceof PoolerDetectedException)) {
                return null; // the wait was cancelled by close()
            }
            throw e;
        }
    }

    /** A node whose previous instance is still being destroyed does not compete: it could not start a new one. */
    private void awaitStopped() {
        Future<?> stop = lastStop;
        while (!closing && stop != null && !stop.isDone()) {
            state(SingletonState.STOPPING);
            try {
                stop.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // keep waiting until it is done or we close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Term begin(LockSession current) throws SQLException {
        Lease lease = new Lease(settings.lease(), settings.stopMargin(), System::nanoTime);
        long sentAt = lease.now();
        long token = current.fencingToken();
        lease.begin(sentAt);
        return new Term(token, lease, current, Instant.now());
    }

    /** Leads until the term ends; the session is released or abandoned when this returns. */
    private void lead(Term won) throws SQLException {
        term = won;
        // the instance first: everything else here is off the failover's critical path
        lifecycle.execute(() -> startInstance(won));
        lastToken = won.fencingToken;
        knownLeader = settings.nodeId();
        state(SingletonState.LEADING);
        watch(won);
        LOG.log(Level.INFO, Messages.acquired(name, settings.nodeId(), won.fencingToken));
        long heartbeat = settings.heartbeat().toNanos();
        long nextBeat = System.nanoTime() + heartbeat;
        while (true) {
            LockSupport.parkNanos(this, nextBeat - System.nanoTime());
            if (won.ended()) {
                won.session.abandon(); // the watchdog ended it at the deadline
                return;
            }
            if (closing || stepDownRequested) {
                handOver(won, closing ? LossReason.SHUTDOWN : stepDownReason);
                return;
            }
            if (System.nanoTime() - nextBeat < 0) {
                continue;
            }
            long remaining = won.lease.remainingNanos();
            if (remaining <= 0) {
                endTerm(won, LossReason.LEASE_EXPIRED, null);
                won.session.abandon();
                return;
            }
            long sentAt = won.lease.now();
            try {
                won.session.heartbeat(Duration.ofNanos(remaining));
            } catch (PoolerDetectedException e) {
                throw e;
            } catch (SQLException e) {
                boolean expired = won.lease.remainingNanos() <= 0;
                endTerm(won, expired ? LossReason.LEASE_EXPIRED : LossReason.CONNECTION_LOST, describe(e));
                won.session.abandon();
                return;
            }
            won.lease.renew(sentAt);
            nextBeat = sentAt + heartbeat;
        }
    }

    /** Graceful end: stop the instance while still holding the lock, then release it at once. */
    private void handOver(Term ending, LossReason reason) {
        stepDownRequested = false;
        if (!ending.end()) {
            ending.session.abandon();
            return;
        }
        state(SingletonState.STOPPING);
        context.close(bean);
        Future<?> stopped = lifecycle.submit(() -> stopInstance(ending, reason));
        lastStop = stopped;
        long heartbeat = settings.heartbeat().toNanos();
        long giveUpAt = System.nanoTime() + settings.lease().toNanos();
        try {
            while (true) {
                try {
                    stopped.get(heartbeat, TimeUnit.NANOSECONDS);
                    break;
                } catch (TimeoutException e) {
                    if (System.nanoTime() - giveUpAt > 0) {
                        LOG.log(Level.ERROR, Messages.stopTooSlow(name, settings.lease()));
                        break;
                    }
                    ending.session.heartbeat(settings.heartbeat()); // keep the lock until we have stopped
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | SQLException e) {
            LOG.log(Level.WARNING, Messages.connectionLost(name, describe(e)));
        }
        term = null;
        ending.session.release(key);
        LOG.log(Level.INFO, Messages.lost(name, settings.nodeId(), reason, null));
        state(closing ? SingletonState.CLOSED : stopped.isDone() ? SingletonState.STANDBY : SingletonState.STOPPING);
    }

    /** Ends the current term, if any, because its connection failed. */
    private void loseTerm(LossReason reason) {
        Term current = term;
        if (current != null) {
            endTerm(current, reason, null);
        }
    }

    /** Ends a term that was lost (not handed over): refuse calls now, destroy the instance next. */
    private void endTerm(Term ending, LossReason reason, String detail) {
        if (!ending.end()) {
            return;
        }
        context.close(bean);
        term = null;
        knownLeader = null;
        state(reason == LossReason.POOLER_DETECTED ? SingletonState.FAILED : SingletonState.STANDBY);
        LOG.log(Level.WARNING, Messages.lost(name, settings.nodeId(), reason, detail));
        lastStop = lifecycle.submit(() -> stopInstance(ending, reason));
    }

    private void watch(Term watched) {
        long delay = Math.max(0, watched.lease.remainingNanos());
        watchdog.schedule(() -> {
            if (watched.ended()) {
                return;
            }
            if (watched.lease.isValid()) {
                watch(watched);
            } else {
                endTerm(watched, LossReason.LEASE_EXPIRED, null);
                watched.session.abandon(); // unblocks a heartbeat stuck on a dead network
            }
        }, delay, TimeUnit.NANOSECONDS);
    }

    // ---- the lifecycle thread: user code runs only here ----

    private void startInstance(Term starting) {
        if (!starting.lease.isValid()) {
            return; // lost before it could start
        }
        context.open(bean, starting.lease);
        starting.serve();
        if (createInstance(starting)) {
            notifier.acquired(new LeadershipAcquired(name, settings.nodeId(), starting.fencingToken, starting.began));
        }
    }

    /** Creates the instance; on failure hands over to {@link #failed}. Returns whether it now runs. */
    private boolean createInstance(Term starting) {
        try {
            createInstance();
        } catch (NotLeaderException e) {
            return false;
        } catch (RuntimeException e) {
            failed(starting, e);
            return false;
        }
        if (!starting.lease.isValid()) {
            LOG.log(closing ? Level.INFO : Level.WARNING, Messages.endedWhileStarting(name));
            return false;
        }
        return true;
    }

    /** Restart on this node after a backoff, or step down when it fails too often. Lifecycle thread only. */
    private void failed(Term failing, Throwable cause) {
        Supervisor.Verdict verdict = supervisor.failed();
        if (verdict.stepDown()) {
            LOG.log(Level.ERROR, Messages.singletonFailedTooOften(name, verdict.failures(), settings.failureWindow(),
                    settings.failureCooldown()), cause);
            stepDown(settings.failureCooldown(), LossReason.SINGLETON_FAILED);
            return;
        }
        // The first failure of a window gets a stack trace; the (bounded) rest one line each.
        if (verdict.failures() == 1) {
            LOG.log(Level.ERROR, Messages.singletonFailed(name, 1, settings.failureWindow(), verdict.backoff()), cause);
        } else {
            LOG.log(Level.WARNING, Messages.singletonFailed(name, verdict.failures(), settings.failureWindow(),
                    verdict.backoff()) + " (" + cause + ")");
        }
        watchdog.schedule(() -> lifecycle.execute(() -> {
            if (failing.lease.isValid() && createInstance(failing)) {
                supervisor.restarted();
            }
        }), verdict.backoff().toNanos(), TimeUnit.NANOSECONDS);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void createInstance() {
        Bean raw = bean;
        context.get(raw, beanManager.createCreationalContext(raw));
    }

    private void stopInstance(Term ended, LossReason reason) {
        destroyInstance();
        notifier.lost(new LeadershipLost(name, settings.nodeId(), ended.fencingToken, reason, Instant.now()));
    }

    private void destroyInstance() {
        context.takeInstance(bean).ifPresent(instance -> {
            try {
                context.destroy(instance);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, Messages.callbackFailed(name, "@PreDestroy"), e);
            }
        });
    }

    // ---- helpers ----

    private void state(SingletonState next) {
        if (state != next) {
            state = next;
            since = Instant.now();
        }
    }

    private void wake() {
        Thread thread = lockThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
        LockSession current = session;
        if (current != null && closing && term == null) {
            current.cancel(); // ends a standby's blocking wait
        }
    }

    private void pause(long nanos) {
        long until = System.nanoTime() + nanos;
        while (!closing && System.nanoTime() - until < 0) {
            LockSupport.parkNanos(this, until - System.nanoTime());
        }
    }

    private void reportProblem(SQLException e) {
        String problem = describe(e);
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            LOG.log(Level.WARNING, Messages.connectionLost(name, problem));
        }
    }

    private static void abandon(LockSession session) {
        if (session != null) {
            session.abandon();
        }
    }

    private static String describe(Throwable e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String state = cause instanceof SQLException sql && sql.getSQLState() != null ? " [" + sql.getSQLState() + "]" : "";
        return cause.getClass().getSimpleName() + state + ": " + cause.getMessage();
    }
}
