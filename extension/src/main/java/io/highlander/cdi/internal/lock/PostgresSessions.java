package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import java.sql.SQLException;
import java.time.Duration;

/** A node's connections to PostgreSQL through the application's DataSource: {@link LockSession}s. */
public final class PostgresSessions implements Sessions {

    private final ConnectionSource connections;
    private final String nodeId;
    private final Duration lease;
    private final Duration standbyInterval;
    private final Duration watcherWait;
    private final boolean mustAnnounce;
    private final long tokenFloor;
    /** The server of the node session opened last: the watcher must be on it too. */
    private volatile ClusterIdentity nodeServer;

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
        NodeSessionStatements node = NodeSessionStatements.open(connections, label, nodeId, lease, standbyInterval,
                mustAnnounce, tokenFloor);
        nodeServer = node.cluster();
        return node;
    }

    @Override
    public WatcherStatements openWatcher(String label) throws SQLException {
        // it holds no lock, so its idle timeout guards nothing: long enough for an idle watcher's park
        WatcherSessionStatements watcher = WatcherSessionStatements.open(connections, label, nodeId, watcherWait);
        // two servers that both take connections as a primary (a split database, or a multi-host URL raced while a
        // promotion is under way): a watcher on the other one would see every lock free there, so it is refused and
        // its loop tries again after its back-off, until both sessions are on one server
        ClusterIdentity node = nodeServer;
        ClusterIdentity own = watcher.session().cluster();
        if (node != null && !node.equals(own)) {
            watcher.abandon();
            throw new SQLException(Messages.watcherOnOtherServer(label, own, node), "08004");
        }
        return watcher;
    }

    @Override
    public String description() {
        return connections.description();
    }
}
