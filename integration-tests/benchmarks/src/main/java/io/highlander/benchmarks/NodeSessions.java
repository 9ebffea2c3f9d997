package io.highlander.benchmarks;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a node costs PostgreSQL in steady state, with S singletons on each node (issue 11: S = 1, 10, 50):
 * the connections each node holds (every backend of its role, {@link Backends}), statements per second per
 * node (completed, from {@code pg_stat_statements}; sent, from the nodes' JDBC trace), the ERROR lines each node
 * makes the server write ({@link ServerLog}), and how long a session holds a snapshot ({@code backend_xmin}).
 * It runs on the benchmark's own embedded server, so that the server log holds nothing but these nodes' lines.
 */
final class NodeSessions {

    /** One cluster's steady state. */
    record Measured(int nodes, int singletons, DatabaseCost.Window window, Map<String, ServerLog.RoleLines> log,
                    boolean steady) {

        /** @return the ERROR lines per minute the node's sessions made the server write */
        double errorsPerMinute(DatabaseCost.NodeCost node) {
            ServerLog.RoleLines lines = log.get(node.role());
            return (lines == null ? 0 : lines.errors()) / (window.seconds() / 60.0);
        }

        /** @return the commonest ERROR/FATAL text of the node's sessions, or "" */
        String commonest(DatabaseCost.NodeCost node) {
            ServerLog.RoleLines lines = log.get(node.role());
            return lines == null ? "" : lines.commonest();
        }
    }

    /** Runs on a settled cluster after its window, before the cluster closes (the overlap trials). */
    interface Then {
        void run(Cluster cluster, String database) throws Exception;
    }

    private final PostgresServer server;
    private final ServerLog log;
    private final Path logDir;

    NodeSessions(PostgresServer server, ServerLog log, Path logDir) {
        this.server = server;
        this.log = log;
        this.logDir = logDir;
    }

    /**
     * Starts {@code nodeCount} nodes with {@code singletons} each (default settings), waits until every singleton
     * runs and every node's connections have not changed for {@code steadyMillis}, measures a window, then runs
     * {@code then}.
     */
    Measured measure(int nodeCount, int singletons, long windowMillis, long steadyMillis, Then then) throws Exception {
        if (!server.ensureRoles(nodeCount)) {
            throw new IllegalStateException("per-node roles are needed to tell the nodes apart on the server");
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bench.singletons", Integer.toString(singletons));
        String database = server.newDatabase("sessions" + singletons);
        try (Cluster cluster = new Cluster(server, database, logDir, NodeMain.class, props, true)) {
            for (int slot = 1; slot <= nodeCount; slot++) {
                cluster.start(slot);
            }
            for (NodeProcess node : cluster.nodes()) {
                cluster.await(e -> e.node() == node && e.is("READY", null), 180_000, "READY of " + node);
            }
            for (int i = 0; i < singletons; i++) {
                String name = Probes.name(i);
                cluster.await(e -> e.is("UP", name), 120_000, "a leader of " + name);
            }
            boolean steady = Backends.awaitSteady(server, cluster, steadyMillis, 120_000);
            Thread.sleep(steadyMillis / 2); // let the start-up statements drain out of the window
            long from = log.mark();
            DatabaseCost.Window window = new DatabaseCost(server, logDir).window(cluster, database, singletons,
                    windowMillis, true);
            Thread.sleep(300); // the server's logger process writes what it was sent a moment later
            Measured measured = new Measured(nodeCount, singletons, window, log.linesByRole(from, log.mark()), steady);
            if (then != null) {
                then.run(cluster, database);
            }
            return measured;
        }
    }
}
