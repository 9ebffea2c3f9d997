package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.datasource.ConnectionSource;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A node's connections to PostgreSQL through the application's DataSource: {@link LockSession}s.
 *
 * <p>Its node session and its watcher are on one server while both are open (a watcher on another primary would find
 * every lock free there, and report nodes gone that are not). A DataSource may reach two servers that both take
 * connections as a primary: a split database, or a multi-host URL raced while a failover is under way. So each open
 * checks the other session's {@link ClusterIdentity} (server address, cluster, timeline): a watcher that lands
 * elsewhere than an open node session is closed and its loop tries again (HL-0351); a node session that opens elsewhere
 * than an open watcher ends that watcher, whose reopen is then checked.
 */
public final class PostgresSessions implements Sessions {

    private final ConnectionSource connections;
    private final String nodeId;
    private final Duration lease;
    private final Duration standbyInterval;
    private final Duration watcherWait;
    private final boolean mustAnnounce;
    private final long tokenFloor;
    /** The node session opened last: while it is open, the watcher must be on its server. Guarded by this. */
    private NodeSessionStatements node;
    /** The watcher opened last: one left on another server when a node session opens is ended. Guarded by this. */
    private WatcherSessionStatements watcher;

    /**
     * @param connections     where connections come from
     * @param nodeId          this node's id, published as {@code application_name}
     * @param lease           L, the node session's idle bound
     * @param standbyInterval the node session's longest wait
     * @param watcherWait     the watcher's wait bound ({@code lock_timeout})
     * @param mustAnnounce    whether a term must announce itself even into a full notification queue (strict)
     * @param tokenFloor      {@code highlander.token-floor}, added to every fencing token
     */
    public PostgresSessions(ConnectionSource connections, String nodeId, Duration lease, Duration standbyInterval,
                            Duration watcherWait, boolean mustAnnounce, long tokenFloor) {
        this.connections = connections;
        this.nodeId = nodeId;
        this.lease = lease;
        this.standbyInterval = standbyInterval;
        this.watcherWait = watcherWait;
        this.mustAnnounce = mustAnnounce;
        this.tokenFloor = tokenFloor;
    }

    @Override
    public NodeStatements openNode(String label) throws SQLException {
        NodeSessionStatements opened = NodeSessionStatements.open(connections, label, nodeId, lease, standbyInterval,
                mustAnnounce, tokenFloor);
        synchronized (this) { // with the watcher's check: of two opens at once, the later sees the earlier
            node = opened;
            WatcherSessionStatements watching = watcher;
            if (watching != null && !watching.ended() && !watching.session().cluster().equals(opened.cluster())) {
                watching.abandon(); // its loop opens another, which the check below puts on this session's server
            }
        }
        return opened;
    }

    @Override
    public WatcherStatements openWatcher(String label) throws SQLException {
        // it holds no lock, so its idle timeout guards nothing: long enough for an idle watcher's park
        WatcherSessionStatements opened = WatcherSessionStatements.open(connections, label, nodeId, watcherWait);
        // two servers that both take connections as a primary (a split database, or a multi-host URL raced while a
        // promotion is under way): a watcher on the other one would see every lock free there, so it is refused and
        // its loop tries again after its back-off, until both sessions are on one server. A node session that has
        // ended binds nothing: after a failover the watcher may find the new primary first
        ClusterIdentity own = opened.session().cluster();
        synchronized (this) {
            NodeSessionStatements current = node;
            if (current != null && !current.ended() && !current.cluster().equals(own)) {
                opened.abandon();
                throw new OtherServerException(label, own, current.cluster());
            }
            watcher = opened;
        }
        return opened;
    }

    @Override
    public String description() {
        return connections.description();
    }
}
