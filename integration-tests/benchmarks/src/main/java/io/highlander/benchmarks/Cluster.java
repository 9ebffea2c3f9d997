package io.highlander.benchmarks;

import io.highlander.testing.processes.NodeProcesses;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** The node processes of one scenario, on one database, and everything they printed. */
final class Cluster implements AutoCloseable {

    private final PostgresServer server;
    private final String database;
    private final Path logDir;
    private final Class<?> main;
    private final Map<String, String> properties;
    private final boolean perNodeRoles;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<Event> history = new ArrayList<>();
    private final String label;
    private final NodeProcesses processes;
    private int started;

    Cluster(PostgresServer server, String database, Path logDir, Class<?> main, Map<String, String> properties,
            boolean perNodeRoles) {
        this.server = server;
        this.database = database;
        this.logDir = logDir;
        this.main = main;
        this.properties = properties;
        this.perNodeRoles = perNodeRoles;
        this.label = database.substring(database.lastIndexOf('_') + 1);
        // whatever close() leaves, or a harness that ends early (Ctrl-C), gets SIGTERM and 15 s, then SIGKILL
        this.processes = new NodeProcesses("bench-" + label, Duration.ofSeconds(15));
    }

    String database() {
        return database;
    }

    /** Starts a node in a slot (1-based); a replacement takes the slot, and the role, of the node it replaces. */
    NodeProcess start(int slot) throws IOException {
        return start(slot, Map.of());
    }

    /** Starts a node in a slot, with properties of its own on top of the cluster's (e.g. which nodes a JVM hosts). */
    NodeProcess start(int slot, Map<String, String> own) throws IOException {
        Map<String, String> props = new LinkedHashMap<>(properties);
        props.putAll(own);
        props.put("bench.jdbc.url", server.url(database));
        props.put("bench.jdbc.user", perNodeRoles ? PostgresServer.role(slot) : server.user());
        props.put("bench.jdbc.password", perNodeRoles ? "" : server.password());
        String id = label + "-n" + slot + "-" + (++started);
        NodeProcess node = NodeProcess.start(main, id, slot, props, logDir, this, processes);
        synchronized (nodes) {
            nodes.add(node);
        }
        return node;
    }

    void remove(NodeProcess node) {
        synchronized (nodes) {
            nodes.remove(node);
        }
    }

    List<NodeProcess> nodes() {
        synchronized (nodes) {
            return List.copyOf(nodes);
        }
    }

    void add(Event event) {
        if (Boolean.getBoolean("bench.debug")) {
            System.err.println("EVENT " + event.node().id + " " + event.kind() + " " + event.name() + " " + event.micros());
        }
        synchronized (history) {
            history.add(event);
            history.notifyAll();
        }
    }

    List<Event> events(Predicate<Event> filter) {
        synchronized (history) {
            return history.stream().filter(filter).toList();
        }
    }

    Event await(Predicate<Event> filter, long timeoutMillis, String what) throws InterruptedException, TimeoutException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int seen = 0;
        synchronized (history) {
            while (true) {
                for (; seen < history.size(); seen++) {
                    if (filter.test(history.get(seen))) {
                        return history.get(seen);
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new TimeoutException("timed out after " + timeoutMillis + " ms waiting for " + what
                            + " (logs in " + logDir + ")");
                }
                history.wait(left);
            }
        }
    }

    /** @return the node whose latest UP for the singleton is newer than its latest DOWN/LOST */
    Optional<NodeProcess> leaderOf(String singleton) {
        synchronized (history) {
            for (int i = history.size() - 1; i >= 0; i--) {
                Event event = history.get(i);
                if (event.name().equals(singleton) && (event.kind().equals("UP"))) {
                    return event.node().alive() ? Optional.of(event.node()) : Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until the cluster's standbys are settled, on either lock layer, as the server shows it:
     * <ul>
     *   <li>a layer with node sessions (issue 11) holds one liveness lock per node (a bigint advisory lock,
     *       {@code objsubid = 1}, exclusive, granted) and each node's watcher waits in shared mode on another
     *       node's: settled when there are as many liveness locks as nodes, every one of them has a waiter, and
     *       there are as many waiters as nodes (a killed node's watcher may wait on for up to the server's
     *       {@code client_connection_check_interval}); a node announces its key only after its {@code LISTEN}, so
     *       a watched node also listens;</li>
     *   <li>a layer with one lock session per singleton, and the raw floor nodes, hold no such lock: settled
     *       when {@code oldLayerWaiters} sessions whose application_name starts with {@code prefix} wait in a lock
     *       (each standby's blocking {@code pg_advisory_lock}).</li>
     * </ul>
     */
    void awaitSettled(String prefix, int oldLayerWaiters, long timeoutMillis)
            throws SQLException, InterruptedException, TimeoutException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int nodeCount = nodes().size();
        try (Connection connection = server.connect(database);
             PreparedStatement query = connection.prepareStatement(SETTLED_SQL)) {
            query.setString(1, prefix + "%");
            String seen = "nothing";
            while (System.currentTimeMillis() < deadline) {
                int waiting;
                int live;
                int watched;
                int watchers;
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    waiting = row.getInt(1);
                    live = row.getInt(2);
                    watched = row.getInt(3);
                    watchers = row.getInt(4);
                }
                boolean settled = live == 0 ? waiting >= oldLayerWaiters
                        : live == nodeCount && (nodeCount < 2 || watched == nodeCount && watchers == nodeCount);
                if (settled) {
                    return;
                }
                seen = waiting + " sessions waiting in a lock, " + live + " liveness locks held, " + watched
                        + " of them watched, " + watchers + " watchers waiting";
                Thread.sleep(20);
            }
            throw new TimeoutException("not settled after " + timeoutMillis + " ms with " + nodeCount + " nodes: "
                    + seen + " (logs in " + logDir + ")");
        }
    }

    /**
     * Sessions of ours waiting in a lock; liveness locks held (bigint advisory keys, exclusive, granted); liveness
     * locks with a shared waiter; shared waiters on bigint keys. This database only: every scenario has its own.
     */
    private static final String SETTLED_SQL = "WITH db AS (SELECT oid FROM pg_database WHERE datname = current_database()),"
            + " adv AS (SELECT l.* FROM pg_locks l, db WHERE l.locktype = 'advisory' AND l.objsubid = 1"
            + " AND l.database = db.oid)"
            + " SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND application_name LIKE ? AND wait_event_type = 'Lock'),"
            + " (SELECT count(*) FROM adv WHERE granted AND mode = 'ExclusiveLock'),"
            + " (SELECT count(DISTINCT (a.classid, a.objid)) FROM adv a JOIN adv w ON w.classid = a.classid"
            + " AND w.objid = a.objid WHERE a.granted AND a.mode = 'ExclusiveLock' AND NOT w.granted AND w.mode = 'ShareLock'),"
            + " (SELECT count(*) FROM adv WHERE NOT granted AND mode = 'ShareLock')";

    @Override
    public void close() throws InterruptedException {
        List<NodeProcess> all = nodes();
        all.forEach(node -> node.send("exit"));
        for (NodeProcess node : all) {
            node.close();
        }
        synchronized (nodes) {
            nodes.clear();
        }
        processes.close(); // the nodes removed from this cluster after a fault too
    }
}
