package io.highlander.cdi.internal.election;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.lock.LockHolder;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one election has seen of the world, for {@code status()}, refusals and the log: who holds the lock,
 * which database the lock lives in. Observations only: nothing here decides
 * anything (that is {@link ElectionState}'s job), so each value is simply the latest one seen.
 *
 * <p>A session that is not a Highlander node holding the lock is logged once when it is first seen, not at
 * every look ({@code HL-0414}); a connection problem is logged by the node loop, once per node and distinct problem ({@code HL-0403}).
 */
final class LeaderSightings {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());

    private final String singleton;
    private final String nodeId;
    private volatile String leader;
    private volatile String foreignHolder;
    private volatile String database;
    private final AtomicReference<String> loggedForeignHolder = new AtomicReference<>();

    LeaderSightings(String singleton, String nodeId) {
        this.singleton = singleton;
        this.nodeId = nodeId;
    }

    /**
     * Notes who holds the lock, as PostgreSQL shows it.
     *
     * @return the leading node, if a Highlander node holds the lock
     */
    Optional<String> saw(Optional<LockHolder> holder) {
        Optional<String> node = holder.flatMap(LockHolder::nodeId);
        leader = node.orElse(null);
        if (holder.isPresent() && holder.get().foreign()) {
            String described = holder.get().toString();
            foreignHolder = described;
            if (!described.equals(loggedForeignHolder.getAndSet(described))) {
                LOG.log(Level.WARNING, Messages.foreignLockHolder(singleton, described));
            }
        } else {
            foreignHolder = null;
            loggedForeignHolder.set(null); // a foreign holder that comes back later is logged again
        }
        return node;
    }

    /** This node leads. */
    void leading(String self) {
        leader = self;
        foreignHolder = null;
        loggedForeignHolder.set(null);
    }

    /** This node stopped leading; who leads next is unknown until seen. */
    void lost() {
        if (nodeId.equals(leader)) {
            leader = null;
        }
    }

    /** A lock session was opened on {@code databaseName}. */
    void connected(String databaseName) {
        database = databaseName;
    }

    Optional<String> leader() {
        return Optional.ofNullable(leader);
    }

    Optional<String> foreignHolder() {
        return Optional.ofNullable(foreignHolder);
    }

    Optional<String> database() {
        return Optional.ofNullable(database);
    }
}
