package io.highlander.cdi.internal.lock;

import java.util.OptionalLong;

/**
 * Which PostgreSQL cluster and history a session is on: the cluster's {@code system_identifier} (chosen at
 * {@code initdb}, kept by replicas, backups and restores, new for a dump restored elsewhere or a logical
 * upgrade) and the timeline (new at every promotion and point-in-time restore). Shown in the log so an operator
 * can see every node follow a failover; the {@link FencingToken} is ordered by the timeline. A node session reads it
 * at open, in its setup statement ({@link Sql#SETUP}); a value, no SQL.
 *
 * @param server           {@code host:port/database} as the server reports it
 * @param systemIdentifier the cluster's identifier, empty if this role may not read it
 * @param timeline         the server's timeline
 */
public record ClusterIdentity(String server, OptionalLong systemIdentifier, long timeline) {

    /** @return whether both identifiers are known and differ: another cluster */
    public boolean otherClusterThan(ClusterIdentity earlier) {
        return systemIdentifier.isPresent() && earlier.systemIdentifier.isPresent()
                && systemIdentifier.getAsLong() != earlier.systemIdentifier.getAsLong();
    }

    @Override
    public String toString() {
        return server + " (cluster " + (systemIdentifier.isPresent() ? Long.toString(systemIdentifier.getAsLong())
                : "unknown") + ", timeline " + timeline + ")";
    }
}
