package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.election.ElectionState.Phase;
import io.highlander.cdi.internal.lock.Lease;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a standby does once, on its lifecycle lane, while it waits, so that its first takeover runs code that has
 * run before (issue 12). In a JVM that never led, the way from "lock granted" to {@code @PostConstruct} used to
 * load and link some forty classes and call sites for the first time (the term, its lease, the state
 * transitions, the "leads now" message and its string concatenation, the lease watchdog's task, the lifecycle
 * task, the container's first creation), which took tens of milliseconds of the hand-over. This class walks
 * the same code with throwaway values while nothing is at stake.
 *
 * <p>It never creates the singleton's instance and never runs user code: no {@code @PostConstruct}, no observer,
 * not even the bean class's static initializer. What it touches is either pure (a lease on its own clock, an
 * election state that no election holds, a formatted message that is not logged) or the container's own work
 * that creates no instance ({@link ClusterSingletonContext#prepare}, resolving the observers of an event that is
 * not fired). A failure here costs only speed: it is logged once and the standby goes on waiting.
 */
final class TakeoverWarmUp {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());

    private TakeoverWarmUp() {
    }

    /**
     * Runs on the singleton's lane of the lifecycle pool, before any term's task.
     *
     * @param lifecycle   the singleton's lifecycle (its start task is linked, not run)
     * @param settings    the node's settings
     * @param context     the context of cluster singletons
     * @param bean        the singleton's bean, or {@code null} for a bean-less election
     * @param beanManager the application's bean manager
     * @param watchdog    the node's lease watchdog
     */
    static void prepare(InstanceLifecycle lifecycle, HighlanderSettings settings, ClusterSingletonContext context,
                        Bean<?> bean, BeanManager beanManager, ScheduledExecutorService watchdog) {
        String name = lifecycle.name();
        try {
            Term term = throwawayTerm(settings);
            walkTransitions(term);
            lifecycle.startTask(term); // links the start task's lambda; the task itself is dropped
            Messages.acquired(name, settings.nodeId(), term.fencingToken()); // formatted, not logged: links the
            Messages.lost(name, settings.nodeId(), LossReason.SHUTDOWN, null); // string concatenations
            armWatchdogOnce(watchdog);
            if (bean != null) {
                context.prepare(bean, beanManager);
            }
            OfSingleton ofSingleton = OfSingleton.Literal.of(name);
            beanManager.resolveObserverMethods(new LeadershipAcquired(name, settings.nodeId(), 0, term.began()),
                    ofSingleton);
            beanManager.resolveObserverMethods(new LeadershipLost(name, settings.nodeId(), 0, LossReason.SHUTDOWN,
                    term.began()), ofSingleton);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, Messages.warmUpFailed(name, e), e);
        }
    }

    /** A term as the lock thread makes one, on a lease of its own that nothing renews or reads. */
    private static Term throwawayTerm(HighlanderSettings settings) {
        Lease lease = new Lease(settings.lease(), settings.stopMargin(), System::nanoTime);
        lease.begin(lease.now());
        if (lease.isValid() && lease.remainingNanos() > 0) {
            lease.end();
        }
        return new Term(-1, lease, null, Instant.now());
    }

    /** The takeover's transitions, on a state that no election holds. */
    private static void walkTransitions(Term term) {
        ElectionState standby = ElectionState.initial().to(Phase.STANDBY, null, null, null, 0);
        ElectionState acquired = standby.to(Phase.ACQUIRED, term, null, null, 0);
        ElectionState leading = acquired.to(Phase.LEADING, term, acquired.stepDown(), null, 0);
        if (!leading.runs(term) || leading.runningTerm() != term) {
            throw new IllegalStateException("the throwaway term does not run: " + leading);
        }
    }

    /** Loads the watchdog's task classes: a task that does nothing, on the watchdog's own thread. */
    private static void armWatchdogOnce(ScheduledExecutorService watchdog) {
        try {
            watchdog.schedule(() -> { }, 0, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the node is closing
        }
    }
}
