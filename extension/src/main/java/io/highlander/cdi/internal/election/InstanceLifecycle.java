package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.election.ElectionState.StepDown;
import io.highlander.cdi.internal.events.LeadershipNotifier;
import io.highlander.cdi.internal.fence.FenceBarrier;
import io.highlander.cdi.internal.threads.LifecyclePool;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The singleton's instance on this node (none for a bean-less election, whose terms only fire the events), on its
 * <b>lane</b> of the node's {@link LifecyclePool} (a thread named {@code highlander-<name>-lifecycle} while it runs):
 * the only place that runs user code ({@code @PostConstruct}, {@code @PreDestroy}, event observers) and the only one
 * that creates instances. Tasks run one after another, so a term's instance is destroyed before the next term's is
 * created; the node's singletons share the pool's threads (issue 22), so a node's threads do not grow with them. Failures are supervised ({@link Supervisor}): restart after a backoff, or ask the
 * election to step down.
 */
final class InstanceLifecycle implements Instances {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());

    private final Election election;
    private final String name;
    private final Bean<?> bean;
    private final HighlanderSettings settings;
    private final ClusterSingletonContext context;
    private final LeadershipNotifier notifier;
    private final BeanManager beanManager;
    private final ScheduledExecutorService watchdog;
    private final FenceBarrier fence;
    private final LifecyclePool.Lane lane;
    private final Supervisor supervisor;

    InstanceLifecycle(Election election, Bean<?> bean, HighlanderSettings settings, ClusterSingletonContext context,
                      LeadershipNotifier notifier, BeanManager beanManager, LifecyclePool pool,
                      ScheduledExecutorService watchdog, FenceBarrier fence) {
        this.election = election;
        this.name = election.name();
        this.bean = bean;
        this.settings = settings;
        this.context = context;
        this.notifier = notifier;
        this.beanManager = beanManager;
        this.watchdog = watchdog;
        this.fence = fence;
        this.lane = pool.lane(name);
        this.supervisor = new Supervisor(settings.maxFailures(), settings.failureWindow(), settings.restartBackoff(),
                System::nanoTime);
    }

    /** Any thread: queues the start of a new term's instance. */
    @Override
    public void start(Term starting) {
        run(startTask(starting));
    }

    /**
     * Any thread, once, when the election first stands by: queues {@link TakeoverWarmUp} on this lane, so that the
     * first takeover runs linked code (the pool keeps threads parked for it: {@link LifecyclePool#WARM}).
     */
    @Override
    public void warmUp() {
        run(() -> TakeoverWarmUp.prepare(this, settings, context, bean, beanManager, watchdog));
    }

    /**
     * @return the task that starts {@code starting}'s instance; apart from {@link #start}, only the warm-up calls
     * it (without running the task), so that the lambda below is linked before the first takeover needs it
     */
    Runnable startTask(Term starting) {
        return () -> {
            if (!election.state().runs(starting) || !starting.lease().isValid()) {
                return; // lost before it could start
            }
            if (!starting.lock().fenceClear()
                    && !fence.pass(election.key(), settings.nodeId(), () -> election.state().runs(starting))) {
                return; // ended while transactions fenced by the previous term were still open (fence/FenceBarrier)
            }
            if (bean == null) { // a bean-less election: the term is all there is
                if (election.serve(starting)) {
                    acquired(starting);
                }
                return;
            }
            context.open(bean, starting.lease());
            if (election.serve(starting) && create(starting)) {
                acquired(starting);
            }
        };
    }

    /** @return the singleton's name */
    String name() {
        return name;
    }

    /**
     * Any thread: queues the destruction of an ended term's instance and {@code LeadershipLost}.
     *
     * @param stopped completed once the instance is destroyed (before the observers of {@code LeadershipLost} run:
     *                the lock has nothing left to protect, and the next node should not wait for them), or at once
     *                if the application is gone. A next term of this node is queued on this thread after them.
     * @param began   completed when {@code @PreDestroy} begins on this thread
     */
    @Override
    public void stop(Term ended, LossReason reason, CompletableFuture<Void> stopped, CompletableFuture<Long> began) {
        boolean queued = run(() -> {
            began.complete(System.nanoTime()); // the clock of Election's ticker in production
            try {
                destroy();
            } finally {
                stopped.complete(null);
            }
            notifier.lost(new LeadershipLost(name, settings.nodeId(), ended.fencingToken(), reason, Instant.now()));
        });
        if (!queued) {
            stopped.complete(null); // the application is gone: nothing left to stop here
        }
    }

    /** Any thread: the running term's instance failed; replace it, or step down if it fails too often. */
    @Override
    public void reportFailure(Term running, Throwable cause) {
        run(() -> {
            if (election.state().runs(running)) {
                destroy();
                failed(running, cause);
            }
        });
    }

    /** Any thread: the application destroyed the running term's instance; create a new one (not a failure). */
    @Override
    public void replace(Term running) {
        run(() -> {
            if (election.state().runs(running) && running.lease().isValid()) {
                context.open(bean, running.lease());
                if (create(running)) {
                    acquired(running);
                }
            }
        });
    }

    /** @return how often the singleton was restarted after a failure */
    @Override
    public int restarts() {
        return supervisor.restarts();
    }

    /** Closes the lane after the queued tasks, waiting at most {@code millis} for them. */
    @Override
    public void shutdown(long millis) {
        lane.closeAndAwait(millis);
    }

    /** Creates the instance; on failure hands over to {@link #failed}. Returns whether it now runs. */
    private boolean create(Term starting) {
        try {
            if (!context.create(rawBean(), beanManager.createCreationalContext(rawBean()), starting.lease())) {
                ElectionState now = election.state();
                if (now.term() == starting && !now.closing()) {
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

    /** Restart on this node after a backoff, or step down when it fails too often. */
    private void failed(Term failing, Throwable cause) {
        Supervisor.Verdict verdict = supervisor.failed();
        if (verdict.stepDown()) {
            LOG.log(Level.ERROR, Messages.singletonFailedTooOften(name, verdict.failures(), settings.failureWindow(),
                    settings.failureCooldown()), cause);
            election.requestStepDown(failing, new StepDown(LossReason.SINGLETON_FAILED,
                    settings.failureCooldown().toNanos()));
            return;
        }
        // The first failure of a window gets a stack trace; the (bounded) rest one line each.
        if (verdict.failures() == 1) {
            LOG.log(Level.ERROR, Messages.singletonFailed(name, 1, settings.failureWindow(), verdict.backoff()), cause);
        } else {
            LOG.log(Level.WARNING, Messages.singletonFailed(name, verdict.failures(), settings.failureWindow(),
                    verdict.backoff()) + " (" + cause + ")");
        }
        Runnable restart = () -> run(() -> {
            if (election.state().runs(failing) && failing.lease().isValid()) {
                context.open(bean, failing.lease());
                if (create(failing)) {
                    supervisor.restarted();
                    acquired(failing);
                }
            }
        });
        try {
            watchdog.schedule(restart, verdict.backoff().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the node is closing: no restart
        }
    }

    private void acquired(Term term) {
        notifier.acquired(new LeadershipAcquired(name, settings.nodeId(), term.fencingToken(), term.began()));
    }

    private void destroy() {
        if (bean == null) {
            return;
        }
        context.takeInstance(bean).ifPresent(instance -> {
            try {
                context.destroy(instance);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, Messages.callbackFailed(name, "@PreDestroy"), e);
            }
        });
    }

    /** @return whether the task was queued (not after the application stopped) */
    private boolean run(Runnable task) {
        try {
            lane.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.ERROR, Messages.unexpected(name), e); // the lane goes on with its next task
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Bean<Object> rawBean() {
        return (Bean) bean;
    }
}
