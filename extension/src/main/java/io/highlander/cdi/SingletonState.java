package io.highlander.cdi;

/** Where one singleton's election stands on this node; part of {@link SingletonStatus}. */
public enum SingletonState {
    /** Connecting to PostgreSQL; not yet competing. */
    STARTING,
    /** Competing for the lock (or waiting for the database to come back); no instance here. */
    STANDBY,
    /**
     * This node holds the lock and serves the singleton. The instance is created right after the lock is
     * acquired; {@link LeadershipAcquired} fires once its {@code @PostConstruct} has returned.
     */
    LEADING,
    /**
     * This node's term is over and its instance is being destroyed: calls are refused. The lock is let go as soon
     * as {@code @PreDestroy} has returned (or, at the latest, when the lease or the stop bound runs out); the node
     * competes again only once {@code @PreDestroy} has returned.
     */
    STOPPING,
    /**
     * This node stays out of the election for a while: after {@link LeaderElector#stepDown(String,
     * java.time.Duration)} with a hold-off, or after the singleton failed too often (see
     * {@code highlander.restart.*}).
     */
    DISABLED,
    /** The election stopped for good on this node, e.g. a pooler was detected; see the log. */
    FAILED,
    /** The application stopped; the election is over. */
    CLOSED
}
