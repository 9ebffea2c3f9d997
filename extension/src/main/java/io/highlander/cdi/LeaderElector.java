package io.highlander.cdi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * This node's view of, and handle on, its cluster singletons. Inject it anywhere:
 *
 * <pre>{@code
 * @Inject LeaderElector elector;
 *
 * if (elector.isLeader("nightly-report")) { ... }
 * elector.stepDown("nightly-report");   // hand over to another node now
 * }</pre>
 *
 * Names are those of {@link ClusterSingleton#value()} (the bean class's name by default); an unknown
 * name throws {@link IllegalArgumentException}.
 */
public interface LeaderElector {

    /** @return this node's id, as configured ({@code highlander.node-id}) or derived from host and process */
    String nodeId();

    /**
     * Answers from local state only, without a database round trip: whether this node leads the
     * singleton <em>and</em> its lease, the time until which the lock is proven held, has not run out.
     * Cheap enough to call before every unit of work.
     *
     * @param singleton the singleton's name
     * @return {@code true} if this node leads it now
     */
    boolean isLeader(String singleton);

    /**
     * Throws unless {@link #isLeader(String)}; a guard for work that must not run on a stale leader.
     *
     * @param singleton the singleton's name
     * @return the fencing token of the current term, to hand to downstream systems
     * @throws NotLeaderException if this node does not lead the singleton now
     */
    long checkLeadership(String singleton);

    /**
     * Which node leads the singleton now. On the leader this is its own id; elsewhere it is read from
     * PostgreSQL ({@code pg_locks} joined with {@code pg_stat_activity}), which shows other sessions'
     * {@code application_name} to roles that share the lock connections' role or hold
     * {@code pg_read_all_stats}. Empty when no node leads or the leader cannot be seen.
     *
     * @param singleton the singleton's name
     * @return the leading node's id, if any and visible
     */
    Optional<String> leader(String singleton);

    /**
     * Tells the supervisor that the singleton's instance on this node has failed (e.g. its worker thread
     * died). The instance is destroyed and, after a backoff, a fresh one is created on this node; after
     * {@code highlander.restart.max-failures} failures within {@code highlander.restart.window} this node
     * steps down instead ({@link LossReason#SINGLETON_FAILED}) and stays out for
     * {@code highlander.restart.cooldown}, so that another node can try. A failing {@code @PostConstruct}
     * counts the same. Does nothing on a node that does not lead.
     *
     * @param singleton the singleton's name
     * @param cause     what went wrong, for the log
     */
    void reportFailure(String singleton, Throwable cause);

    /** @return a snapshot of every singleton's state on this node, ordered by name */
    List<SingletonStatus> status();

    /**
     * @param singleton the singleton's name
     * @return a snapshot of that singleton's state on this node
     */
    SingletonStatus status(String singleton);

    /**
     * Gives up leadership now if this node leads: destroys the instance, releases the lock so that a
     * waiting node takes over within milliseconds, and competes again a second later (or one heartbeat or standby
     * interval later, if that is shorter), once the other nodes have had their turn; alone, this node takes the
     * singleton back then. Does nothing on a standby.
     *
     * @param singleton the singleton's name
     */
    default void stepDown(String singleton) {
        stepDown(singleton, Duration.ZERO);
    }

    /**
     * Like {@link #stepDown(String)}, but this node stays out of the election for {@code holdOff} (or the
     * interval {@link #stepDown(String)} waits, if that is longer), so that another node certainly takes over.
     *
     * @param singleton the singleton's name
     * @param holdOff   how long to wait before competing again; zero or more
     */
    void stepDown(String singleton, Duration holdOff);
}
