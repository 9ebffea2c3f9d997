package io.highlander.example.war;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.NotLeaderException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The cluster singleton: once a second it does its "work" (here it only counts), on exactly one node of
 * the cluster. It exists only on the node that holds the lock; when that node stops or dies, another node
 * creates a fresh instance.
 *
 * <p>{@code @PostConstruct} runs on a thread of the server's {@code ManagedThreadFactory}, not on a request
 * or deployment thread. It looks up its scheduler in {@code java:comp}, which works only if that thread
 * carries the application's JNDI namespace; the result is recorded in the {@link Journal} and shown by
 * {@code /status}.
 */
@ApplicationScoped
@ClusterSingleton(Pulse.NAME)
public class Pulse {

    /** The singleton's cluster-wide name; it selects the lock. */
    public static final String NAME = "pulse";

    static final String SCHEDULER = "java:comp/DefaultManagedScheduledExecutorService";

    private static final System.Logger LOG = System.getLogger(Pulse.class.getName());

    @Inject
    LeaderElector elector;

    @Inject
    Journal journal;

    private ScheduledFuture<?> ticks;

    @PostConstruct
    void start() {
        boolean ownClassLoader = Thread.currentThread().getContextClassLoader() == Pulse.class.getClassLoader()
                || loadsThisClass(Thread.currentThread().getContextClassLoader());
        ManagedScheduledExecutorService scheduler;
        try {
            scheduler = (ManagedScheduledExecutorService) new InitialContext().lookup(SCHEDULER);
        } catch (NamingException | ClassCastException e) {
            journal.started(SCHEDULER, e.toString(), ownClassLoader);
            throw new IllegalStateException("pulse cannot start: " + SCHEDULER + " not found on thread "
                    + Thread.currentThread().getName(), e);
        }
        journal.started(SCHEDULER, null, ownClassLoader);
        ticks = scheduler.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "pulse started on {0} (thread {1})", elector.nodeId(),
                Thread.currentThread().getName());
    }

    @PreDestroy
    void stop() {
        if (ticks != null) {
            ticks.cancel(false);
        }
        LOG.log(System.Logger.Level.INFO, "pulse stopped on {0}", elector.nodeId());
    }

    private void tick() {
        try {
            // Work that must not run on a stale leader asks first, and hands the token downstream.
            long token = elector.checkLeadership(NAME);
            journal.ticked(token);
        } catch (NotLeaderException e) {
            ticks.cancel(false);
        }
    }

    private static boolean loadsThisClass(ClassLoader loader) {
        try {
            return loader != null && Class.forName(Pulse.class.getName(), false, loader) == Pulse.class;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
