package io.highlander.example.war;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.Leadership;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The cluster singleton: it exists only on the node that holds the lock; when that node stops or dies, another node
 * creates a fresh instance. Its work runs once a second on exactly one node of the cluster, driven by an EJB timer
 * on every node ({@link PulseTimer}) that only the leader lets through.
 *
 * <p>{@code @PostConstruct} runs on a thread of the server's {@code ManagedThreadFactory}, not on a request
 * or deployment thread. It looks up the server's scheduler in {@code java:comp}, which works only if that thread
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

    /** The term this instance was created in, with its fencing token. */
    @Inject
    Leadership leadership;

    @Inject
    LeaderElector elector;

    @Inject
    Journal journal;

    @PostConstruct
    void start() {
        boolean ownClassLoader = Thread.currentThread().getContextClassLoader() == Pulse.class.getClassLoader()
                || loadsThisClass(Thread.currentThread().getContextClassLoader());
        try {
            new InitialContext().lookup(SCHEDULER);
        } catch (NamingException e) {
            journal.started(SCHEDULER, e.toString(), ownClassLoader);
            throw new IllegalStateException("pulse cannot start: " + SCHEDULER + " not found on thread "
                    + Thread.currentThread().getName(), e);
        }
        journal.started(SCHEDULER, null, ownClassLoader);
        LOG.log(System.Logger.Level.INFO, "pulse started on {0} (thread {1}, token {2})", elector.nodeId(),
                Thread.currentThread().getName(), leadership.fencingToken());
    }

    @PreDestroy
    void stop() {
        LOG.log(System.Logger.Level.INFO, "pulse stopped on {0}", elector.nodeId());
    }

    /** One unit of work: work that must not run on a stale leader asks first, and hands the token downstream. */
    public void beat() {
        journal.ticked(leadership.check());
    }

    private static boolean loadsThisClass(ClassLoader loader) {
        try {
            return loader != null && Class.forName(Pulse.class.getName(), false, loader) == Pulse.class;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
