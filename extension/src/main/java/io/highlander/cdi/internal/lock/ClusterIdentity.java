package io.highlander.cdi.internal.lock;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * Which PostgreSQL cluster and history a session is on: the cluster's {@code system_identifier} (chosen at
 * {@code initdb}, kept by replicas, backups and restores, new for a dump restored elsewhere or a logical
 * upgrade) and the timeline (new at every promotion and point-in-time restore). Shown in the log so an operator
 * can see every node follow a failover; the {@link FencingToken} is ordered by the timeline.
 *
 * @param server           {@code host:port/database} as the server reports it
 * @param systemIdentifier the cluster's identifier, empty if this role may not read it
 * @param timeline         the server's timeline
 */
public record ClusterIdentity(String server, OptionalLong systemIdentifier, long timeline) {

    /**
     * {@code pg_control_system()} is executable by every role on PostgreSQL 14 and 15 (checked on 15 with a plain
     * role); a server that revoked it gives no identifier, and tokens stay guarded by the node's memory alone.
     * Both in one round trip: it is on the way to every node session, so on the way to every takeover after a
     * failover.
     */
    private static final String IDENTITY_SQL = "SELECT pg_walfile_name(pg_current_wal_lsn()),"
            + " (SELECT system_identifier FROM pg_control_system())";
    private static final String TIMELINE_SQL = "SELECT pg_walfile_name(pg_current_wal_lsn())";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    /**
     * Reads a primary's identity.
     *
     * @param connection an open connection to a primary, in autocommit
     * @param server     how to name it in messages
     * @return its identity
     * @throws SQLException if it cannot be read (other than for want of privilege on the identifier)
     */
    static ClusterIdentity read(Connection connection, String server) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(IDENTITY_SQL); ResultSet row = query.executeQuery()) {
            row.next();
            return new ClusterIdentity(server, OptionalLong.of(row.getLong(2)), FencingToken.timelineOf(row.getString(1)));
        } catch (SQLException e) {
            if (!INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw e;
            }
        }
        try (PreparedStatement query = connection.prepareStatement(TIMELINE_SQL); ResultSet row = query.executeQuery()) {
            row.next();
            return new ClusterIdentity(server, OptionalLong.empty(), FencingToken.timelineOf(row.getString(1)));
        }
    }

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
