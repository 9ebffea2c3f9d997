package io.highlander.cdi;

/** Why a node stopped leading a singleton; carried by {@link LeadershipLost}. */
public enum LossReason {
    /** The application (or the node) is shutting down; the lock was released at once. */
    SHUTDOWN,
    /** {@link LeaderElector#stepDown} was called; the lock was released at once. */
    STEPPED_DOWN,
    /**
     * The lock connection failed (the server ended the session, restarted, or the socket broke). The lock
     * may already belong to another node.
     */
    CONNECTION_LOST,
    /**
     * No heartbeat was acknowledged in time, so the node stopped before PostgreSQL could end the session
     * and hand the lock to another node (network cut, frozen process).
     */
    LEASE_EXPIRED,
    /** The singleton failed to start or reported itself failed too often; the node stepped down. */
    SINGLETON_FAILED,
    /**
     * The lock connection's backend changed between two statements: a pooler in transaction mode sits
     * between the node and PostgreSQL, so session locks cannot work. The election stops until redeployed.
     */
    POOLER_DETECTED
}
