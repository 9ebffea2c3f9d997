package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.HighlanderSettings.StandbyMode;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.SingletonStatus;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.election.ElectionState.Ending;
import io.highlander.cdi.internal.election.ElectionState.Phase;
import io.highlander.cdi.internal.election.ElectionState.StepDown;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/**
 * The election of one singleton on this node: the only place that decides whether this node leads it.
 *
 * <p>Its state is one immutable {@link ElectionState} in an {@link AtomicReference}, changed only by the
 * transition methods below, each a compare-and-set that logs once when it wins:
 * <pre>
 *   STARTING/STANDBY/DISABLED --standby--------&gt; STANDBY          lock thread, connected and competing
 *   STANDBY --begin(term)------------------------&gt; ACQUIRED(term)   lock thread, lock acquired
 *   ACQUIRED(term) --serve-----------------------&gt; LEADING(term)    lifecycle thread, context open
 *   ACQUIRED/LEADING(term) --requestStepDown-----&gt; same, with a step-down for that term   any thread
 *   ACQUIRED/LEADING(term) --endTerm-------------&gt; ENDING(term)     lock thread, or the watchdog at the deadline
 *   ENDING(term) --letGo-------------------------&gt; STOPPING(term)   lock thread, or the watchdog at letGoBy
 *   STOPPING(term), instance destroyed --finish--&gt; STANDBY | DISABLED | FAILED | CLOSED   lock thread
 *   any --requestClose---------------------------&gt; same, closing   any thread
 * </pre>
 * A term begins only from STANDBY, which only the lock thread reaches, and only after the last term's lock was
 * let go and its instance destroyed: a term's end and the next term's start cannot interleave.
 *
 * <p>Three threads, each with one job:
 * <ul>
 *   <li>the <b>lock thread</b> ({@code highlander-<name>-lock}) connects, competes, heartbeats and releases;
 *       it never runs user code, so a slow {@code @PostConstruct} cannot cost the lock;</li>
 *   <li>the <b>lifecycle thread</b> ({@code highlander-<name>-lifecycle}) creates and destroys the instance
 *       and fires the events, one after another, so terms never overlap on this node;</li>
 *   <li>the node's <b>lease watchdog</b> ends a term at its {@link Lease} deadline {@code s + L − m} even if the
 *       lock thread is stuck in a network call, and lets the lock go at {@code s + L} if the lock thread has not
 *       by then.</li>
 * </ul>
 * An interrupt of the lock thread means the container is stopping its threads: the election closes, once.
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
    private final Supervisor supervisor;
    private final AtomicReference<ElectionState> state = new AtomicReference<>(ElectionState.initial());
    private final LeaderSightings sightings;
    /** The lock thread's open session, so that close() can cancel a wait; not part of any decision. */
    private volatile LockSession session;
    private Thread lockThread;
    /**
     * Test seam, and nothing else: runs right after a term was marked ended and before its context closes and
     * its instance stops. ElectionRacesTest holds the watchdog here to force the interleaving that used to let
     * the next term begin while the last one was still ending; it proves that the lock thread now cannot.
     */
    volatile Runnable afterTermEnded = () -> { };

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
        this.sightings = new LeaderSightings(name, settings.nodeId());
        context.register(bean, this::refusal, settings.heartbeat());
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

    /** Any thread: asks the election to stop for good. */
    void requestClose() {
        update(ElectionState::closingNow);
        wake();
    }

    void awaitClosed() {
        Thread thread = lockThread;
        if (thread != null && thread != Thread.currentThread()) {
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
        update(s -> s.phase() == Phase.FAILED || s.phase() == Phase.CLOSED ? s : s.to(Phase.CLOSED, null, null, null, 0));
    }

    /** @param holdOff how long to stay out of the election afterwards */
    void stepDown(Duration holdOff) {
        ElectionState now = state.get();
        Term running = now.runningTerm();
        if (running != null) {
            requestStepDown(running, new StepDown(LossReason.STEPPED_DOWN, holdOff.toNanos()));
        }
    }

    /** The instance failed while running: replace it, or step down if it fails too often. */
    void reportFailure(Throwable cause) {
        Term running = state.get().runningTerm();
        if (running != null && running.lease().isValid()) {
            runOnLifecycle(() -> {
                if (state.get().runs(running)) {
                    destroyInstance();
                    failed(running, cause);
                }
            });
        }
    }

    /** True once the term's instance may be called (the context is open), and until the lease runs out. */
    boolean isLeader() {
        ElectionState now = state.get();
        return now.phase() == Phase.LEADING && now.term().lease().isValid();
    }

    long checkLeadership() {
        ElectionState now = state.get();
        if (now.phase() != Phase.LEADING || !now.term().lease().isValid()) {
            throw refusal();
        }
        return now.term().fencingToken();
    }

    /** @return who leads now: this node, or as PostgreSQL shows it (a short-lived extra connection) */
    Optional<String> leader() {
        if (isLeader()) {
            return Optional.of(settings.nodeId());
        }
        try (Connection connection = connections.connect()) {
            return sightings.saw(LockSession.holderOf(connection, key));
        } catch (SQLException e) {
            return sightings.leader();
        }
    }

    SingletonStatus status() {
        ElectionState now = state.get();
        long token = now.lastToken();
        Optional<String> leader = now.phase().visible == io.highlander.cdi.SingletonState.LEADING
                ? Optional.of(settings.nodeId()) : sightings.leader();
        return new SingletonStatus(name, settings.nodeId(), now.phase().visible, leader,
                token < 0 ? OptionalLong.empty() : OptionalLong.of(token), now.since(), supervisor.restarts(),
                sightings.database(), sightings.foreignHolder());
    }

    String name() {
        return name;
    }

    /** @return whether the lock thread holds a connection now */
    boolean connected() {
        return session != null;
    }

    private NotLeaderException refusal() {
        String leader = sightings.leader().orElse(null);
        if (settings.nodeId().equals(leader)) {
            leader = null;
        }
        return new NotLeaderException(name, leader, Messages.notLeader(name, settings.nodeId(), leader));
    }

    // ---- transitions: each one compare-and-set on the state, logged once by the winner ----

    /** Lock thread: connected and competing. */
    private void standby() {
        update(s -> s.phase() == Phase.STARTING || s.phase() == Phase.DISABLED
                ? s.to(Phase.STANDBY, null, null, null, 0) : s);
    }

    /** Lock thread: the lock was acquired; returns false if the election is closing (then nothing began). */
    private boolean begin(Term won) {
        while (true) {
            ElectionState s = state.get();
            if (s.closing() || s.phase() != Phase.STANDBY) {
                return false;
            }
            if (state.compareAndSet(s, s.to(Phase.ACQUIRED, won, null, null, 0))) {
                sightings.leading(settings.nodeId());
                return true;
            }
        }
    }

    /** Lifecycle thread: the context is open for the term; calls may reach the instance. */
    private boolean serve(Term opened) {
        while (true) {
            ElectionState s = state.get();
            if (s.phase() != Phase.ACQUIRED || s.term() != opened) {
                return false;
            }
            if (state.compareAndSet(s, s.to(Phase.LEADING, opened, s.stepDown(), null, 0))) {
                return true;
            }
        }
    }

    /** Any thread: asks the running term {@code running}, and only that one, to end gracefully. */
    private void requestStepDown(Term running, StepDown request) {
        if (update(s -> s.runs(running) && s.stepDown() == null ? s.withStepDown(request) : s).stepDown() == request) {
            wake();
        }
    }

    /**
     * Lock thread or watchdog: ends the running term {@code ending}; the one caller that wins refuses calls at
     * once and queues the instance's destruction. Returns whether this call ended it.
     */
    private boolean endTerm(Term ending, LossReason reason, String detail) {
        long remaining = ending.lease().remainingNanos(); // before the lease ends: s + L − m − now
        long now = System.nanoTime();
        boolean graceful = reason == LossReason.SHUTDOWN || reason == LossReason.STEPPED_DOWN
                || reason == LossReason.SINGLETON_FAILED;
        long letGoBy = switch (reason) {
            case LEASE_EXPIRED -> now + remaining + settings.stopMargin().toNanos(); // s + L, even if noticed late
            case SHUTDOWN, STEPPED_DOWN, SINGLETON_FAILED -> now + settings.lease().toNanos();
            default -> now; // the connection is gone or unusable: nothing to keep
        };
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        while (true) {
            ElectionState s = state.get();
            if (!s.runs(ending)) {
                return false;
            }
            long holdOff = s.stepDown() != null && s.stepDown().reason() == reason ? s.stepDown().holdOffNanos() : 0;
            Ending how = new Ending(reason, graceful, letGoBy, holdOff, stopped);
            if (state.compareAndSet(s, s.to(Phase.ENDING, ending, null, how, 0))) {
                break;
            }
        }
        ending.lease().end();
        afterTermEnded.run();
        context.close(bean, ending.lease());
        sightings.lost();
        LOG.log(graceful ? Level.INFO : Level.WARNING, Messages.lost(name, settings.nodeId(), reason, detail));
        if (!runOnLifecycle(() -> stopInstance(ending, reason, stopped))) {
            stopped.complete(null); // the application is gone: nothing left to stop here
        }
        scheduleOnWatchdog(() -> letGo(ending, true), letGoBy - System.nanoTime());
        return true;
    }

    /**
     * Lock thread, or watchdog at {@code letGoBy}: the lock of the ended term is let go; the winner releases
     * (cleanly only if the instance has stopped) or aborts the session. Returns whether this call let it go.
     */
    private boolean letGo(Term ended, boolean byWatchdog) {
        while (true) {
            ElectionState s = state.get();
            if (s.phase() != Phase.ENDING || s.term() != ended) {
                return false;
            }
            if (state.compareAndSet(s, s.to(Phase.STOPPING, ended, null, s.ending(), 0))) {
                Ending how = s.ending();
                boolean stopped = how.stopped().isDone();
                if (!stopped) {
                    LOG.log(Level.ERROR, Messages.stopTooSlow(name,
                            how.graceful() ? settings.lease() : settings.stopMargin()));
                }
                if (stopped && !byWatchdog && how.reason() != LossReason.CONNECTION_LOST
                        && how.reason() != LossReason.POOLER_DETECTED) {
                    ended.session().release(key);
                } else {
                    ended.session().abandon();
                }
                return true;
            }
        }
    }

    /** Lock thread: the ended term's lock is gone and its instance destroyed; compete again, or not. */
    private void finish(Term ended) {
        ElectionState after = update(s -> {
            if (s.phase() != Phase.STOPPING || s.term() != ended) {
                return s;
            }
            Ending how = s.ending();
            if (how.reason() == LossReason.POOLER_DETECTED) {
                return s.to(Phase.FAILED, null, null, null, 0);
            }
            if (s.closing()) {
                return s.to(Phase.CLOSED, null, null, null, 0);
            }
            return how.holdOffNanos() > 0
                    ? s.to(Phase.DISABLED, null, null, null, System.nanoTime() + how.holdOffNanos())
                    : s.to(Phase.STANDBY, null, null, null, 0);
        });
        if (after.phase() == Phase.STANDBY || after.phase() == Phase.DISABLED) {
            sightings.lost();
        }
    }

    /** Lock thread: a pooler was detected (or the thread cannot go on): stop for good. */
    private void fail() {
        update(s -> s.phase() == Phase.CLOSED ? s : s.to(Phase.FAILED, null, null, null, 0));
    }

    /** Lock thread, once per interrupt: the container is stopping our threads, so close. */
    private void interrupted() {
        ElectionState before = state.getAndUpdate(ElectionState::closingNow);
        if (!before.closing()) {
            LOG.log(Level.WARNING, Messages.lockThreadInterrupted(name));
        }
        wake();
    }

    private ElectionState update(UnaryOperator<ElectionState> change) {
        return state.updateAndGet(change);
    }

    // ---- the lock thread ----

    private void run() {
        long backoff = MIN_BACKOFF_NANOS;
        try {
            while (!state.get().closing() && state.get().phase() != Phase.FAILED) {
                awaitHoldOff(); // before connecting: an idle session would be ended by the server after L
                if (state.get().closing()) {
                    break;
                }
                LockSession current = null;
                try {
                    current = LockSession.open(connections, name, settings.nodeId(), settings.lease(),
                            settings.standbyInterval());
                    session = current;
                    sightings.connected(current.server().database());
                    backoff = MIN_BACKOFF_NANOS;
                    standby();
                    Term won = compete(current);
                    if (won == null || !begin(won)) {
                        current.release(key);
                    } else {
                        lead(won);
                    }
                } catch (PoolerDetectedException e) {
                    LOG.log(Level.ERROR, e.getMessage());
                    abandon(current);
                    fail();
                    return;
                } catch (SQLException e) {
                    abandon(current);
                    if (!state.get().closing()) {
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
            fail();
            throw e;
        } finally {
            update(s -> s.phase() == Phase.FAILED || s.phase() == Phase.CLOSED ? s
                    : s.to(Phase.CLOSED, null, null, null, 0));
        }
    }

    /** Stays out of the election, with no session open, until the hold-off of a step-down is over. */
    private void awaitHoldOff() {
        while (true) {
            ElectionState s = state.get();
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
            if (!state.get().closing() && current.tryAcquire(key)) {
                return acquired(current);
            }
            sightings.saw(current.holderOf(key));
            while (!state.get().closing()) {
                boolean acquired;
                if (settings.standbyMode() == StandbyMode.BLOCKING) {
                    acquired = current.awaitAcquire(key);
                    checkInterrupt();
                } else {
                    pause(settings.standbyInterval().toNanos());
                    acquired = !state.get().closing() && current.tryAcquire(key);
                }
                if (acquired) {
                    return acquired(current);
                }
            }
            return null;
        } catch (SQLException e) {
            if (state.get().closing() && !(e instanceof PoolerDetectedException)) {
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
            endTerm(won, LossReason.POOLER_DETECTED, null);
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, Messages.unexpected(name), e);
            endTerm(won, LossReason.CONNECTION_LOST, null);
        } finally {
            endTerm(won, LossReason.CONNECTION_LOST, null); // a no-op unless something unexpected escaped
            stop(won);
        }
    }

    /** Heartbeats until the term ends (by this thread, or by the watchdog at the deadline). */
    private void keepLeading(Term won) throws PoolerDetectedException {
        runOnLifecycle(() -> startInstance(won)); // the instance first: the rest is off the failover's path
        LOG.log(Level.INFO, Messages.acquired(name, settings.nodeId(), won.fencingToken()));
        watch(won);
        long heartbeat = settings.heartbeat().toNanos();
        long nextBeat = System.nanoTime() + heartbeat;
        while (true) {
            ElectionState s = state.get();
            if (!s.runs(won)) {
                return; // the watchdog ended it at the deadline
            }
            if (s.closing() || s.stepDown() != null) {
                endTerm(won, s.closing() ? LossReason.SHUTDOWN : s.stepDown().reason(), null);
                return;
            }
            long wait = nextBeat - System.nanoTime();
            if (wait > 0) {
                park(wait);
                continue;
            }
            long remaining = won.lease().remainingNanos();
            if (remaining <= 0) {
                endTerm(won, LossReason.LEASE_EXPIRED, null);
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
                endTerm(won, expired ? LossReason.LEASE_EXPIRED : LossReason.CONNECTION_LOST, describe(e));
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
        ElectionState s = state.get();
        Ending how = s.term() == ended ? s.ending() : null;
        if (how == null) {
            return;
        }
        long heartbeat = settings.heartbeat().toNanos();
        while (state.get().phase() == Phase.ENDING && !how.stopped().isDone()) {
            long left = how.letGoBy() - System.nanoTime();
            if (left <= 0) {
                break;
            }
            awaitStopped(how, Math.min(left, heartbeat));
            if (how.graceful() && !how.stopped().isDone() && state.get().phase() == Phase.ENDING) {
                try {
                    ended.session().heartbeat(settings.heartbeat()); // keep the lock until we have stopped
                } catch (SQLException e) {
                    if (state.get().phase() == Phase.ENDING) {
                        sightings.problem(e); // not when the watchdog let the lock go under our feet
                    }
                    break;
                }
            }
        }
        letGo(ended, false);
        while (!how.stopped().isDone() && !state.get().closing()) {
            awaitStopped(how, TimeUnit.MILLISECONDS.toNanos(100));
        }
        finish(ended);
    }

    private void awaitStopped(Ending how, long nanos) {
        try {
            how.stopped().get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // keep waiting until it is done, or the bound
        } catch (InterruptedException e) {
            interrupted();
        }
    }

    private void watch(Term watched) {
        long delay = Math.max(0, watched.lease().remainingNanos());
        scheduleOnWatchdog(() -> {
            if (!state.get().runs(watched)) {
                return;
            }
            if (watched.lease().isValid()) {
                watch(watched);
            } else {
                endTerm(watched, LossReason.LEASE_EXPIRED, null); // the lock is let go by s + L at the latest
            }
        }, delay);
    }

    // ---- the lifecycle thread: user code runs only here ----

    private void startInstance(Term starting) {
        if (!state.get().runs(starting) || !starting.lease().isValid()) {
            return; // lost before it could start
        }
        context.open(bean, starting.lease());
        if (serve(starting) && createInstance(starting)) {
            notifier.acquired(new LeadershipAcquired(name, settings.nodeId(), starting.fencingToken(), starting.began()));
        }
    }

    /** Creates the instance; on failure hands over to {@link #failed}. Returns whether it now runs. */
    private boolean createInstance(Term starting) {
        try {
            if (!context.create(rawBean(), beanManager.createCreationalContext(rawBean()), starting.lease())) {
                if (state.get().term() == starting && !state.get().closing()) {
                    LOG.log(Level.WARNING, Messages.endedWhileStarting(name));
                }
                return false;
            }
            return true;
        } catch (NotLeaderException e) {
            return false;
        } catch (RuntimeException | Error e) {
            // Weld wraps what @PostConstruct throws, but an Error from initializing the class arrives as itself
            failed(starting, e);
            return false;
        }
    }

    /** Restart on this node after a backoff, or step down when it fails too often. Lifecycle thread only. */
    private void failed(Term failing, Throwable cause) {
        Supervisor.Verdict verdict = supervisor.failed();
        if (verdict.stepDown()) {
            LOG.log(Level.ERROR, Messages.singletonFailedTooOften(name, verdict.failures(), settings.failureWindow(),
                    settings.failureCooldown()), cause);
            requestStepDown(failing, new StepDown(LossReason.SINGLETON_FAILED, settings.failureCooldown().toNanos()));
            return;
        }
        // The first failure of a window gets a stack trace; the (bounded) rest one line each.
        if (verdict.failures() == 1) {
            LOG.log(Level.ERROR, Messages.singletonFailed(name, 1, settings.failureWindow(), verdict.backoff()), cause);
        } else {
            LOG.log(Level.WARNING, Messages.singletonFailed(name, verdict.failures(), settings.failureWindow(),
                    verdict.backoff()) + " (" + cause + ")");
        }
        scheduleOnWatchdog(() -> runOnLifecycle(() -> {
            if (state.get().runs(failing) && failing.lease().isValid()) {
                context.open(bean, failing.lease());
                if (createInstance(failing)) {
                    supervisor.restarted();
                    notifier.acquired(new LeadershipAcquired(name, settings.nodeId(), failing.fencingToken(),
                            failing.began()));
                }
            }
        }), verdict.backoff().toNanos());
    }

    private void stopInstance(Term ended, LossReason reason, CompletableFuture<Void> stopped) {
        try {
            destroyInstance();
            notifier.lost(new LeadershipLost(name, settings.nodeId(), ended.fencingToken(), reason, Instant.now()));
        } finally {
            stopped.complete(null);
        }
    }

    private void destroyInstance() {
        context.takeInstance(bean).ifPresent(instance -> {
            try {
                context.destroy(instance);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, Messages.callbackFailed(name, "@PreDestroy"), e);
            }
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Bean<Object> rawBean() {
        return (Bean) bean;
    }

    // ---- helpers ----

    /** @return whether the task was queued (not after the application stopped) */
    private boolean runOnLifecycle(Runnable task) {
        try {
            lifecycle.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.ERROR, Messages.unexpected(name), e); // keep the lifecycle thread alive
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void scheduleOnWatchdog(Runnable task, long delayNanos) {
        try {
            watchdog.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the node is closing: the lock thread lets the lock go itself
        }
    }

    private void wake() {
        Thread thread = lockThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
        LockSession current = session;
        ElectionState now = state.get();
        if (current != null && now.closing() && now.phase() == Phase.STANDBY) {
            current.cancel(); // ends a standby's blocking wait
        }
    }

    /** Parks the lock thread; an interrupt closes the election once and is then cleared, so nothing spins. */
    private void park(long nanos) {
        LockSupport.parkNanos(this, nanos);
        checkInterrupt();
    }

    private void checkInterrupt() {
        if (Thread.interrupted()) {
            interrupted();
        }
    }

    private void pause(long nanos) {
        long until = System.nanoTime() + nanos;
        while (!state.get().closing() && System.nanoTime() - until < 0) {
            park(until - System.nanoTime());
        }
    }

    private static void abandon(LockSession session) {
        if (session != null) {
            session.abandon();
        }
    }

    static String describe(Throwable e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String state = cause instanceof SQLException sql && sql.getSQLState() != null ? " [" + sql.getSQLState() + "]" : "";
        return cause.getClass().getSimpleName() + state + ": " + cause.getMessage();
    }
}
