package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.SingletonState;
import io.highlander.cdi.SingletonStatus;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.election.ElectionState.Ending;
import io.highlander.cdi.internal.election.ElectionState.Phase;
import io.highlander.cdi.internal.election.ElectionState.StepDown;
import io.highlander.cdi.internal.events.LeadershipNotifier;
import io.highlander.cdi.internal.fence.FenceBarrier;
import io.highlander.cdi.internal.fence.TermWork;
import io.highlander.cdi.internal.lock.LockHolder;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.threads.LifecyclePool;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The election of one singleton on this node: the only place that decides whether this node leads it.
 *
 * <p>Its state is one immutable {@link ElectionState} in an {@link AtomicReference}, changed only by the
 * transition methods below, each a compare-and-set whose winner alone acts and logs (at most once):
 * <pre>
 *   STARTING/DISABLED --standby----------------&gt; STANDBY          lock thread, connected and competing
 *   STANDBY --begin(term)------------------------&gt; ACQUIRED(term)   lock thread, lock acquired
 *   ACQUIRED(term) --serve-----------------------&gt; LEADING(term)    lifecycle thread, context open
 *   ACQUIRED/LEADING(term) --requestStepDown-----&gt; same, with a step-down for that term   any thread
 *   ACQUIRED/LEADING(term) --endTerm-------------&gt; ENDING(term)     lock thread, the watchdog at the deadline,
 *                                                                      or the thread asking for a close or step-down
 *   ENDING(term) --letGo-------------------------&gt; STOPPING(term)   lock thread, or the watchdog at letGoBy
 *   STOPPING(term), instance destroyed --finish--&gt; STANDBY | DISABLED | FAILED | CLOSED   lock thread
 *   any --requestClose---------------------------&gt; same, closing   any thread
 * </pre>
 * A term begins only from STANDBY, which only the lock thread reaches, and only after the last term's lock was
 * let go and its instance destroyed: a term's end and the next term's start cannot interleave.
 *
 * <p>Three threads, each with one job:
 * <ul>
 *   <li>the node's <b>lock thread</b> ({@link NodeSession} stepping the {@link NodeLoop}, one for all elections) connects, competes, heartbeats and
 *       lets the lock go;
 *       it never runs user code, so a slow {@code @PostConstruct} cannot cost the lock;</li>
 *   <li>the <b>lifecycle thread</b> ({@link InstanceLifecycle}) creates and destroys the instance and fires
 *       the events, one after another, so terms never overlap on this node;</li>
 *   <li>the node's <b>lease watchdog</b> ends a term at its {@link io.highlander.cdi.internal.lock.Lease} deadline {@code s + L − m} even if the
 *       lock thread is stuck in a network call, and lets the lock go at {@code s + L} if the lock thread has not
 *       by then.</li>
 * </ul>
 * An interrupt of the lock thread means the container is stopping its threads: the election closes, once.
 */
public final class Election {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());

    private final String name;
    private final Bean<?> bean;
    private final LockKey key;
    /**
     * How long a node that steps down stays out at least. Trying again at once, it would win its own lock back
     * before the other nodes, which try within milliseconds of hearing the release notice, had their turn; a second
     * is far beyond that (even on a loaded machine) and still a short gap for a node that is alone.
     */
    private static final long STEP_DOWN_COURTESY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The longest single wait of a new term for the previous term's fenced transactions (FenceBarrier): short, so
     * that a term that ends meanwhile is noticed, and so that the waiting statement's snapshot is not held long.
     */
    private static final Duration FENCE_WAIT = Duration.ofSeconds(1);

    /**
     * @return how long a node leaves a lock it just let go (a step-down) or lost with its session to the other
     *         nodes: a second, or the heartbeat or standby interval if shorter
     */
    static long courtesyNanos(HighlanderSettings settings) {
        return Math.min(STEP_DOWN_COURTESY_NANOS,
                Math.min(settings.heartbeat().toNanos(), settings.standbyInterval().toNanos()));
    }

    private final HighlanderSettings settings;
    private final ClusterSingletonContext context;
    private final Scheduler watchdog;
    private final java.util.function.LongSupplier ticker;
    private final AtomicReference<ElectionState> state = new AtomicReference<>(ElectionState.initial());
    private final LeaderSightings sightings;
    /** How long {@link #leader()} waits for the node session's answer before it says what it saw last. */
    private static final long LEADER_QUESTION_MILLIS = 1000;
    private final Instances instance;
    private final NodeLoop node;
    private final AtomicLong skippedCalls = new AtomicLong();
    /** The work running under this node's terms (calls in flight, fenced connections), cancelled at a term's end. */
    private final TermWork work;
    /** The last term (its token, -1 for none yet) for which a skipped {@code @LeaderOnly} call was logged. */
    private final AtomicLong skipLoggedFor = new AtomicLong(Long.MIN_VALUE);
    /**
     * Test seam, and nothing else: runs right after a term was marked ended and before its context closes and
     * its instance stops. ElectionRacesTest holds the watchdog here to force the interleaving that used to let
     * the next term begin while the last one was still ending; it proves that the lock thread now cannot.
     */
    volatile Runnable afterTermEnded = () -> { };
    /** The state change of a close, made once with the class: a graceful stop links no lambda of its own. */
    private static final java.util.function.UnaryOperator<ElectionState> CLOSING_NOW = ElectionState::closingNow;
    /** What a term's end attaches to its instance's stop, made once per election, not on a stop's path. */
    private final java.util.function.BiConsumer<Void, Throwable> wakeWhenStopped;

    Election(String name, Bean<?> bean, HighlanderSettings settings, ConnectionSource connections,
             ClusterSingletonContext context, LeadershipNotifier notifier, BeanManager beanManager,
             LifecyclePool lifecycle, ScheduledExecutorService watchdog, NodeLoop node) {
        this(name, bean, settings, context, node,
                election -> new InstanceLifecycle(election, bean, settings, context, notifier, beanManager, lifecycle,
                        watchdog, new FenceBarrier(connections, FENCE_WAIT.compareTo(settings.lease()) < 0
                                ? FENCE_WAIT : settings.lease())),
                Scheduler.of(watchdog), System::nanoTime,
                lifecycle.urgent(name));
    }

    /**
     * An election whose instance, watchdog and clock are given: a simulation's (bean-less) election, and the
     * production one above.
     *
     * @param name      the singleton's name
     * @param bean      its bean, or {@code null} for a bean-less election (then {@code context} may be null)
     * @param settings  the node's settings
     * @param context   the context the instance lives in
     * @param node      the node loop that serves it
     * @param instances makes the election's instance side
     * @param watchdog  runs the lease watchdog's deadlines
     * @param ticker    the monotonic clock, in nanoseconds
     */
    Election(String name, Bean<?> bean, HighlanderSettings settings, ClusterSingletonContext context, NodeLoop node,
             java.util.function.Function<Election, Instances> instances, Scheduler watchdog,
             java.util.function.LongSupplier ticker) {
        this(name, bean, settings, context, node, instances, watchdog, ticker, task -> {
            Thread thread = new Thread(task, "highlander-" + name + "-abort");
            thread.setDaemon(true);
            thread.start();
        });
    }

    /** As above, with where a term's fenced connections are aborted when it ends ({@link TermWork}). */
    private Election(String name, Bean<?> bean, HighlanderSettings settings, ClusterSingletonContext context,
                     NodeLoop node, java.util.function.Function<Election, Instances> instances, Scheduler watchdog,
                     java.util.function.LongSupplier ticker, java.util.concurrent.Executor aborts) {
        this.name = name;
        this.work = new TermWork(name, settings.nodeId(), aborts);
        this.bean = bean;
        this.key = LockKey.of(settings.namespace(), name);
        this.settings = settings;
        this.context = context;
        this.watchdog = watchdog;
        this.ticker = ticker;
        this.sightings = new LeaderSightings(name, settings.nodeId());
        this.instance = instances.apply(this);
        this.node = node;
        this.wakeWhenStopped = (done, failed) -> node.wake(); // the lock thread lets the lock go at once
        watchTask(null); // links the watchdog's lambda now, off the first takeover's path (see there)
        node.serve(this);
        if (bean != null) {
            context.register(bean, this::refusal, settings.heartbeat(), () -> {
                Term running = state.get().runningTerm();
                if (running != null) {
                    instance.replace(running);
                }
            });
        }
    }


    /**
     * Stops for good: a leader destroys its instance and releases the lock at once; a standby stops
     * waiting. Returns when done, or after the bound.
     */
    void close() {
        requestClose();
        awaitClosed();
    }

    /**
     * Any thread: asks the election to stop for good. A running term ends here and now, so that its instance's
     * destruction runs while the lock thread is being woken (out of a socket read, that takes a watcher's notice),
     * not after; the lock thread lets the lock go once it is destroyed, as ever.
     */
    void requestClose() {
        ElectionState after = state.updateAndGet(CLOSING_NOW);
        node.wakeAhead(); // first, not waited for (rule L6); a lock thread woken now sees the close and ends the term
        Term running = after.runningTerm();
        if (running != null) {
            endTerm(running, LossReason.SHUTDOWN, null);
        }
    }

    void awaitClosed() {
        node.awaitEnd(settings.lease().plus(settings.standbyInterval()).plusSeconds(1).toMillis());
        instance.shutdown(settings.lease().toMillis());
        closed();
    }

    /**
     * @param holdOff how long to stay out of the election afterwards; at least {@link #STEP_DOWN_COURTESY_NANOS}
     *                (or the heartbeat or standby interval, if shorter)
     */
    void stepDown(Duration holdOff) {
        Term running = state.get().runningTerm();
        if (running != null) {
            long nanos = Math.max(holdOff.toNanos(), courtesyNanos(settings));
            requestStepDown(running, new StepDown(LossReason.STEPPED_DOWN, nanos));
        }
    }

    /** The instance failed while running: replace it, or step down if it fails too often. */
    void reportFailure(Throwable cause) {
        Term running = state.get().runningTerm();
        if (bean != null && running != null && running.lease().isValid()) {
            instance.reportFailure(running, cause);
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

    /**
     * Lets a {@code @LeaderOnly} call through while {@link #isLeader()}; otherwise counts the skip and logs it once
     * per change of term on this node (the token of the last term stands for it), never once per call.
     *
     * @return whether the call may run
     */
    boolean admitLeaderOnly() {
        if (isLeader()) {
            return true;
        }
        skippedCalls.incrementAndGet();
        long term = state.get().lastToken();
        if (skipLoggedFor.getAndSet(term) != term) {
            String leader = sightings.leader().filter(id -> !id.equals(settings.nodeId())).orElse(null);
            LOG.log(Level.INFO, Messages.leaderOnlySkipped(name, settings.nodeId(), leader));
        }
        return false;
    }

    /**
     * @param bound whether the view stays with the term running now (for an instance created in it) rather than
     *              following the election from term to term
     * @return a view of this election's term
     */
    io.highlander.cdi.Leadership leadership(boolean bound) {
        return bound ? new ElectionLeadership(this, state.get().runningTerm(), true)
                : new ElectionLeadership(this, null, false);
    }

    /**
     * @return who leads now: this node, or as PostgreSQL shows it, asked on the node session (no third
     *         connection); what was last seen if the node session does not answer within a second
     */
    Optional<String> leader() {
        if (isLeader()) {
            return Optional.of(settings.nodeId());
        }
        CompletableFuture<Optional<LockHolder>> asked = new CompletableFuture<>();
        node.post(new LoopEvent.WhoHolds(key, asked));
        try {
            return sightings.saw(asked.get(LEADER_QUESTION_MILLIS, TimeUnit.MILLISECONDS));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return sightings.leader();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return sightings.leader();
        }
    }

    SingletonStatus status() {
        ElectionState now = state.get();
        long token = now.lastToken();
        Optional<String> leader = now.phase().visible == SingletonState.LEADING
                ? Optional.of(settings.nodeId()) : sightings.leader();
        return new SingletonStatus(name, settings.nodeId(), now.phase().visible, leader,
                token < 0 ? OptionalLong.empty() : OptionalLong.of(token), now.since(), instance.restarts(),
                sightings.database(), sightings.foreignHolder(), skippedCalls.get(), node.heartbeatOnly(),
                settings.placement(), node.liveNodes(), node.share(), node.ledHere());
    }

    String name() {
        return name;
    }

    /** @return whether the node's connections are open now */
    boolean connected() {
        return node.connected();
    }

    LockKey key() {
        return key;
    }

    /** @return the work running under this node's terms */
    TermWork work() {
        return work;
    }

    HighlanderSettings settings() {
        return settings;
    }

    LeaderSightings sightings() {
        return sightings;
    }

    /** @return the current state */
    ElectionState state() {
        return state.get();
    }

    NotLeaderException refusal() {
        String leader = sightings.leader().orElse(null);
        if (settings.nodeId().equals(leader)) {
            leader = null;
        }
        return new NotLeaderException(name, leader, Messages.notLeader(name, settings.nodeId(), leader));
    }

    // ---- transitions: each one compare-and-set on the state, logged once by the winner ----

    /** Lock thread: connected and competing. */
    void standby() {
        ElectionState before = state.getAndUpdate(s -> s.phase() == Phase.STARTING || s.phase() == Phase.DISABLED
                ? s.to(Phase.STANDBY, null, null, null, 0) : s);
        if (before.phase() == Phase.STARTING || before.phase() == Phase.DISABLED) {
            LOG.log(Level.INFO, Messages.standingBy(name, settings.nodeId())); // also the first log line, off takeover
        }
        if (before.phase() == Phase.STARTING) {
            instance.warmUp(); // while nothing is at stake, see TakeoverWarmUp
        }
    }

    /**
     * Lock thread: the lock was acquired. Queues the instance's start and arms the watchdog. Returns false if
     * the election is closing (then nothing began, and the lock thread releases the lock).
     */
    boolean begin(Term won) {
        while (true) {
            ElectionState s = state.get();
            if (s.closing() || s.phase() != Phase.STANDBY) {
                return false;
            }
            if (state.compareAndSet(s, s.to(Phase.ACQUIRED, won, null, null, 0))) {
                break;
            }
        }
        long hold = won.lock().holdBeforeStartNanos();
        if (hold > 0) {
            // strict takeover: the previous holder may still be running until its lease is out (Lease)
            LOG.log(Level.INFO, Messages.strictTakeoverWaits(name, settings.nodeId(), Duration.ofNanos(hold)));
            schedule(() -> startUnlessExpired(won), hold);
        } else {
            instance.start(won); // the instance first: the rest is off the failover's critical path
        }
        sightings.leading(settings.nodeId());
        LOG.log(Level.INFO, Messages.acquired(name, settings.nodeId(), won.fencingToken()));
        watch(won);
        return true;
    }

    /**
     * The watchdog, at the end of a strict hold: starts the term's instance only while its lease is valid. A node
     * frozen through the hold wakes with the hold's timer and the lease's watchdog due together, in either order;
     * another node may have taken the lock meanwhile, so an expired term ends here instead (FINDINGS.md 4).
     */
    private void startUnlessExpired(Term held) {
        if (held.lease().isValid()) {
            instance.start(held);
        } else {
            endTerm(held, LossReason.LEASE_EXPIRED, null);
        }
    }

    /**
     * Lifecycle thread: the context is open for the term; calls may reach the instance. Refused, and the term ended,
     * once its lease has run out: a {@code @PostConstruct} or a freeze may outlast it, and nothing may start on an
     * expired lease (the lock may be another node's already).
     */
    boolean serve(Term opened) {
        if (!opened.lease().isValid()) {
            endTerm(opened, LossReason.LEASE_EXPIRED, null); // does nothing unless the term still runs
            return false;
        }
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

    /**
     * Any thread: asks the running term {@code running}, and only that one, to end gracefully; it ends here and
     * now (see {@link #requestClose()}), and the lock thread lets the lock go once the instance is destroyed. The
     * lock thread is woken first (rule L6): its wake overlaps {@code @PreDestroy}, and a lock thread that wakes
     * before the term has ended here ends it itself, since the state already asks for the step-down.
     */
    void requestStepDown(Term running, StepDown request) {
        ElectionState after = state.updateAndGet(s -> s.runs(running) && s.stepDown() == null ? s.withStepDown(request) : s);
        if (after.stepDown() == request) {
            node.wakeAhead();
            endTerm(running, request.reason(), null);
        }
    }

    /**
     * Lock thread, watchdog, or the thread asking for a close or a step-down: ends the running term
     * {@code ending}; the one caller that wins refuses calls at once, queues the instance's destruction and has the
     * watchdog let the lock go at {@code letGoBy} if the lock thread has not by then. Returns whether this call
     * ended it.
     */
    boolean endTerm(Term ending, LossReason reason, String detail) {
        long remaining = ending.lease().remainingNanos(); // s + L − m − now, while the lease is held
        long now = ticker.getAsLong();
        boolean graceful = reason == LossReason.SHUTDOWN || reason == LossReason.STEPPED_DOWN
                || reason == LossReason.SINGLETON_FAILED;
        long letGoBy = letGoBy(reason, now, remaining);
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        CompletableFuture<Long> destroying = new CompletableFuture<>();
        stopped.whenComplete(wakeWhenStopped);
        while (true) {
            ElectionState s = state.get();
            if (!s.runs(ending)) {
                return false;
            }
            long holdOff = s.stepDown() != null && s.stepDown().reason() == reason ? s.stepDown().holdOffNanos() : 0;
            Ending how = new Ending(reason, graceful, letGoBy, holdOff, stopped, destroying);
            if (state.compareAndSet(s, s.to(Phase.ENDING, ending, null, how, 0))) {
                break;
            }
        }
        ending.lease().end();
        work.cancel(ending.fencingToken(), reason); // after the state says so: see TermWork on the race
        afterTermEnded.run();
        if (bean != null) {
            context.close(bean, ending.lease());
        }
        instance.stop(ending, reason, stopped, destroying); // the instance first: the rest is off the hand-over's path
        schedule(() -> letGo(ending, true), letGoBy - ticker.getAsLong());
        sightings.lost();
        LOG.log(graceful ? Level.INFO : Level.WARNING, Messages.lost(name, settings.nodeId(), reason, detail));
        return true;
    }

    /** @return by when an ending term's lock goes, if the lock thread has not let it go before */
    private long letGoBy(LossReason reason, long now, long remaining) {
        return switch (reason) {
            case LEASE_EXPIRED -> now + remaining + settings.stopMargin().toNanos(); // s + L, even if noticed late
            case SHUTDOWN, STEPPED_DOWN, SINGLETON_FAILED -> now + settings.lease().toNanos(); // the stop's bound
            default -> now; // the connection is gone or unusable: nothing to keep
        };
    }

    /**
     * Any thread, while the node runs: loads and links the classes a graceful stop of a term needs and has not
     * needed before (the switch above, the ending's record, the completion a stop attaches), so that the first stop
     * of this JVM links none of them between the container's shutdown and {@code @PreDestroy} (issue 22). Changes
     * nothing: the objects made here are dropped.
     */
    void warmStop() {
        long now = ticker.getAsLong();
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        stopped.whenComplete(wakeWhenStopped); // never completed: nobody is woken
        new Ending(LossReason.SHUTDOWN, true, letGoBy(LossReason.SHUTDOWN, now, 0), 0, stopped,
                new CompletableFuture<>());
        // a stop's wake is the first Look a leader's loop may meet, and the loop's instanceof chain then loads every
        // event type it had not met yet, on the lock thread, before the unlock (seen in a class-load trace): the
        // class literals load them here
        List.of(LoopEvent.Look.class, LoopEvent.WatcherSawGone.class, LoopEvent.SocketFailed.class,
                LoopEvent.Unlock.class, LoopEvent.WhoHolds.class, LoopEvent.Interrupted.class);
    }

    /**
     * Lock thread, or watchdog at {@code letGoBy}: the lock of the ended term is let go; the winner releases
     * it cleanly if the instance has stopped and the connection is sound, and aborts the session otherwise.
     * Returns whether this call let it go.
     */
    boolean letGo(Term ended, boolean byWatchdog) {
        while (true) {
            ElectionState s = state.get();
            if (s.phase() != Phase.ENDING || s.term() != ended) {
                return false;
            }
            if (state.compareAndSet(s, s.to(Phase.STOPPING, ended, null, s.ending(), 0))) {
                Ending how = s.ending();
                boolean stopped = how.stopped().isDone();
                // only a graceful stop or an expired lease gives @PreDestroy a deadline; a lost connection has
                // already lost the lock, so a @PreDestroy still running then is not late
                boolean hadDeadline = how.graceful() || how.reason() == LossReason.LEASE_EXPIRED;
                Duration limit = how.graceful() ? settings.lease() : settings.stopMargin();
                if (!stopped && hadDeadline && slow(how, limit)) {
                    LOG.log(Level.ERROR, Messages.stopTooSlow(name, limit));
                }
                if (stopped && !byWatchdog && how.reason() != LossReason.CONNECTION_LOST
                        && how.reason() != LossReason.POOLER_DETECTED) {
                    ended.lock().release();
                } else {
                    ended.lock().abandon(how.reason());
                }
                return true;
            }
        }
    }

    /**
     * @return whether {@code @PreDestroy} itself took (about) the whole time it had: it began and has run for the
     *         limit, less the lifecycle queue's usual delay. Not when it has not even begun, or began late: then the
     *         deadline passed while nothing here ran (a JVM stopped by a debugger, a freeze, a VM pause)
     */
    private boolean slow(Ending how, Duration limit) {
        Long began = how.destroying().getNow(null);
        long limitNanos = limit.toNanos();
        long usualDelay = Math.min(limitNanos / 2, TimeUnit.MILLISECONDS.toNanos(100));
        return began != null && ticker.getAsLong() - began >= limitNanos - usualDelay;
    }

    /** Lock thread: the ended term's lock is gone and its instance destroyed; compete again, or not. */
    void finish(Term ended) {
        ElectionState after = state.updateAndGet(s -> {
            if (s.phase() != Phase.STOPPING || s.term() != ended) {
                return s;
            }
            if (s.ending().reason() == LossReason.POOLER_DETECTED) {
                return s.to(Phase.FAILED, null, null, null, 0);
            }
            if (s.closing()) {
                return s.to(Phase.CLOSED, null, null, null, 0);
            }
            long holdOff = s.ending().holdOffNanos();
            return holdOff > 0
                    ? s.to(Phase.DISABLED, null, null, null, ticker.getAsLong() + holdOff)
                    : s.to(Phase.STANDBY, null, null, null, 0);
        });
        if (after.phase() == Phase.STANDBY || after.phase() == Phase.DISABLED) {
            sightings.lost();
        }
    }

    /** Lock thread: a pooler was detected (or the thread cannot go on): stop for good. */
    void fail() {
        state.updateAndGet(s -> s.phase() == Phase.CLOSED ? s : s.to(Phase.FAILED, null, null, null, 0));
    }

    /** Lock thread ending, or close(): the election is over, unless it failed. */
    void closed() {
        state.updateAndGet(s -> s.phase() == Phase.FAILED || s.phase() == Phase.CLOSED ? s
                : s.to(Phase.CLOSED, null, null, null, 0));
    }

    /** Lock thread, once per interrupt: the container is stopping our threads, so close, and say so once. */
    void interrupted() {
        ElectionState before = state.getAndUpdate(CLOSING_NOW);
        if (!before.closing()) {
            LOG.log(Level.WARNING, Messages.lockThreadInterrupted(name));
        }
        node.wake();
    }

    // ---- the lease watchdog ----

    private void watch(Term watched) {
        schedule(watchTask(watched), watched.lease().remainingNanos());
    }

    /**
     * The watchdog's look at a term's lease. The constructor makes one for no term and drops it: the first creation
     * of a lambda spins its class, and the first term's {@code begin} would otherwise do that on the lock thread
     * while the lifecycle thread creates the instance, two threads on a small machine's cores (issue 22).
     */
    private Runnable watchTask(Term watched) {
        return () -> {
            if (!state.get().runs(watched)) {
                return;
            }
            if (watched.lease().isValid()) {
                watch(watched);
            } else {
                endTerm(watched, LossReason.LEASE_EXPIRED, null); // the lock goes by s + L at the latest
            }
        };
    }

    private void schedule(Runnable task, long delayNanos) {
        watchdog.schedule(task, Math.max(0, delayNanos)); // dropped once the node closes: the loop lets go itself
    }

    static String describe(Throwable e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof SQLException sql && sql.getSQLState() != null) {
            // the server's own words and code say it all; a driver's class name would only look like a crash
            return "[" + sql.getSQLState() + "] " + cause.getMessage();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
