package io.highlander.cdi.internal.sim;

import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.internal.sim.Step.Setting;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's two connections on the simulated server, opened with the settings {@code Sql.SETUP} sets
 * (idle and idle-in-transaction timeouts L, {@code lock_timeout}, {@code tcp_user_timeout},
 * {@code client_connection_check_interval} 1 s, {@code application_name = highlander:<node id>}).
 */
public final class SimSessions implements Sessions {

    /** Where the node session's notices and its end go (the simulation's driver posts them to the node loop). */
    public interface NodeSessionListener {
        /** A notice of ours reached the node session. */
        void heard(io.highlander.cdi.internal.lock.Notice.Heard heard);

        /** The server ended the node session (a socket read sees it at once). */
        void ended(SQLException why);
    }


    /** Loopback-like one-way delays, ns. */
    static final long MIN_DELAY = 30_000;
    static final long MAX_DELAY = 400_000;

    private final VirtualScheduler scheduler;
    private final SimPostgres server;
    private final SimProcess process;
    private final String nodeId;
    private final Duration lease;
    private final Duration standbyInterval;
    private final Duration watcherWait;
    private final boolean socketWaits;
    private final boolean dropStuckGrant;
    private final boolean mustAnnounce;
    private final List<SimConnection> open = new ArrayList<>();
    private SimNodeStatements node;
    private NodeSessionListener listener;

    /**
     * @param process the node's JVM
     * @param nodeId its id ({@code application_name})
     * @param socketWaits whether its node session can read notices (false: a heartbeat-only node)
     * @param dropStuckGrant whether the watcher drops a grant that stuck to a failed wait (a safety rule)
     * @param mustAnnounce whether a term announces itself even into a full queue (strict mode)
     */
    public SimSessions(VirtualScheduler scheduler, SimPostgres server, SimProcess process, String nodeId, Duration lease,
            Duration standbyInterval, Duration watcherWait, boolean socketWaits, boolean dropStuckGrant,
            boolean mustAnnounce) {
        this.scheduler = scheduler;
        this.server = server;
        this.process = process;
        this.nodeId = nodeId;
        this.lease = lease;
        this.standbyInterval = standbyInterval;
        this.watcherWait = watcherWait;
        this.socketWaits = socketWaits;
        this.dropStuckGrant = dropStuckGrant;
        this.mustAnnounce = mustAnnounce;
    }

    /** Sends the node session's notices and end to {@code listener} from now on. */
    public void listen(NodeSessionListener to) {
        this.listener = to;
    }

    @Override
    public NodeStatements openNode(String label) throws SQLException {
        SimConnection connection = connect(lease, standbyInterval);
        node = new SimNodeStatements(connection, standbyInterval, socketWaits, mustAnnounce);
        if (listener != null && socketWaits) {
            NodeSessionListener to = listener;
            connection.deliverTo(to::heard, to::ended);
        }
        return node;
    }

    @Override
    public WatcherStatements openWatcher(String label) throws SQLException {
        SimConnection connection = connect(watcherWait.multipliedBy(2), watcherWait);
        return new SimWatcherStatements(connection, watcherWait, dropStuckGrant);
    }

    private SimConnection connect(Duration idle, Duration lockTimeout) throws SQLException {
        Duration timeout = idle.plus(lockTimeout);
        SimConnection connection = SimConnection.open(scheduler, server, process, LockSession.CHANNEL, MIN_DELAY,
                MAX_DELAY, timeout);
        try {
            connection.call(List.of(
                    new Step.SetApplicationName(LockSession.APPLICATION_NAME_PREFIX + nodeId),
                    new Step.Set(Setting.IDLE_SESSION_TIMEOUT, idle.toNanos()),
                    new Step.Set(Setting.IDLE_IN_TRANSACTION_SESSION_TIMEOUT, idle.toNanos()),
                    new Step.Set(Setting.LOCK_TIMEOUT, lockTimeout.toNanos()),
                    new Step.Set(Setting.TCP_USER_TIMEOUT, idle.multipliedBy(2).toNanos()), // 2L: see Lease
                    new Step.Set(Setting.CLIENT_CONNECTION_CHECK_INTERVAL, 1_000_000_000L),
                    new Step.BackendPid()), timeout);
        } catch (SQLException e) {
            connection.abort();
            throw e;
        }
        open.removeIf(SimConnection::closed);
        open.add(connection);
        return connection;
    }

    /** @return the backend pids of the open connections, the node session's first */
    public List<Integer> pids() {
        open.removeIf(SimConnection::closed);
        List<Integer> pids = new ArrayList<>();
        if (node != null && !node.connection().closed()) {
            pids.add(node.connection().pid());
        }
        for (SimConnection c : open) {
            if (!pids.contains(c.pid())) {
                pids.add(c.pid());
            }
        }
        return pids;
    }

    /** @return the open connections' links */
    public List<SimLink> links() {
        open.removeIf(SimConnection::closed);
        List<SimLink> links = new ArrayList<>();
        open.forEach(c -> links.add(c.link()));
        return links;
    }

    /** @return the node session's connection, once opened */
    SimNodeStatements nodeSession() {
        return node;
    }

    @Override
    public String description() {
        return "simulated PostgreSQL";
    }
}
