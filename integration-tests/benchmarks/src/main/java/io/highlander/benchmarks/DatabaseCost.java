package io.highlander.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What nodes cost the database while nothing fails: statements per second per node, seen by the server
 * ({@code pg_stat_statements}, keyed by role: each node slot logs in as its own role) and sent by the client
 * (the {@link TracingDataSource} lines, which include statements that end in an error such as a blocking
 * wait's {@code lock_timeout}: {@code pg_stat_statements} counts only statements that complete); connections
 * held (every backend of the node's role, whatever its {@code application_name}: the mean and the most seen at
 * once, and the most per {@code application_name} with the node's id written {@code <node>}); and, sampled from
 * {@code pg_stat_activity} every 100 ms, whether each session is active and holds a snapshot
 * ({@code backend_xmin}), which holds back VACUUM's horizon, and for how long each statement held it
 * ({@link NodeCost#snapshotHolds}: per statement, the longest {@code clock_timestamp() - xact_start} seen while
 * its {@code backend_xmin} was set; holds still running at the end of the window are left out, unless no other
 * was seen, and then they count up to the window's end).
 */
final class DatabaseCost {

    /** One node's figures over the window. */
    record NodeCost(String node, String role, int singletonsLed, double serverPerSecond, double clientPerSecond,
                    double connections, double activeShare, double xminShare, String states, int maxConnections,
                    String connectionsByName, Latency snapshotHolds) {
    }

    /** A window's result. */
    record Window(List<NodeCost> nodes, double seconds, boolean serverCounts) {
    }

    private final PostgresServer server;
    private final Path logDir;

    DatabaseCost(PostgresServer server, Path logDir) {
        this.server = server;
        this.logDir = logDir;
    }

    /** Starts {@code nodeCount} nodes with {@code singletons} each, waits until settled, and measures a window. */
    Window measure(String label, int nodeCount, int singletons, Map<String, String> properties, String waitersOrNull,
                   long windowMillis) throws Exception {
        boolean roles = server.ensureRoles(nodeCount);
        Map<String, String> props = new LinkedHashMap<>(properties);
        props.put("bench.singletons", Integer.toString(singletons));
        String database = server.newDatabase(label);
        try (Cluster cluster = new Cluster(server, database, logDir, NodeMain.class, props, roles)) {
            for (int slot = 1; slot <= nodeCount; slot++) {
                cluster.start(slot);
            }
            for (NodeProcess node : cluster.nodes()) {
                cluster.await(e -> e.node() == node && e.is("READY", null), 120_000, "READY of " + node);
            }
            for (int i = 0; i < singletons; i++) {
                String name = Probes.name(i);
                cluster.await(e -> e.is("UP", name), 60_000, "a leader of " + name);
            }
            if (waitersOrNull != null) {
                cluster.awaitSettled(waitersOrNull, (nodeCount - 1) * singletons, 60_000);
            }
            Thread.sleep(1_000); // let the start-up statements drain out of the window
            return window(cluster, database, singletons, windowMillis, roles);
        }
    }

    Window window(Cluster cluster, String database, int singletons, long windowMillis, boolean roles) throws Exception {
        boolean serverCounts = roles && server.hasStatStatements(database);
        Map<String, String> nodeIdByKey = new HashMap<>();
        for (NodeProcess node : cluster.nodes()) {
            nodeIdByKey.put(roles ? PostgresServer.role(node.slot) : "highlander:" + node.id, node.id);
        }
        try (Connection observer = server.connect(database)) {
            Map<String, Long> before = serverCounts ? statements(observer) : Map.of();
            long from = Clock.micros();
            long start = System.nanoTime();
            Map<String, int[]> samples = new HashMap<>(); // role -> [samples, sessions, active, xmin, most at once]
            Map<String, Set<String>> states = new HashMap<>();
            Map<String, Map<String, Integer>> mostByName = new HashMap<>(); // role -> application_name -> most at once
            Map<String, Map<String, Long>> holds = new HashMap<>(); // role -> "pid xact_start" -> longest hold (µs)
            Set<String> holding = new HashSet<>(); // the statements that held a snapshot in the latest sample
            int rounds = 0;
            try (PreparedStatement activity = observer.prepareStatement("SELECT usename, application_name, state,"
                    + " coalesce(wait_event_type, '-'), backend_xmin IS NOT NULL, pid,"
                    + " coalesce((extract(epoch FROM xact_start) * 1000000)::bigint, 0),"
                    + " coalesce((extract(epoch FROM clock_timestamp() - xact_start) * 1000000)::bigint, 0)"
                    + " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    + " AND (usename LIKE 'hl\\_bench\\_n%' OR application_name LIKE 'highlander:%')")) {
                while (System.nanoTime() - start < windowMillis * 1_000_000L) {
                    rounds++;
                    holding.clear();
                    Map<String, int[]> round = new HashMap<>();
                    Map<String, Map<String, Integer>> roundByName = new HashMap<>();
                    try (ResultSet row = activity.executeQuery()) {
                        while (row.next()) {
                            String key = roles ? row.getString(1) : row.getString(2);
                            int[] counts = round.computeIfAbsent(key, k -> new int[5]);
                            counts[1]++;
                            if ("active".equals(row.getString(3))) {
                                counts[2]++;
                            }
                            if (row.getBoolean(5)) {
                                counts[3]++;
                                String statement = row.getInt(6) + " " + row.getLong(7);
                                holds.computeIfAbsent(key, k -> new HashMap<>()).merge(statement, row.getLong(8), Math::max);
                                holding.add(statement);
                            }
                            states.computeIfAbsent(key, k -> new HashSet<>()).add(row.getString(3) + "/" + row.getString(4));
                            String id = nodeIdByKey.getOrDefault(key, "\u0000");
                            String name = String.valueOf(row.getString(2)).replace(id, "<node>");
                            roundByName.computeIfAbsent(key, k -> new HashMap<>()).merge(name, 1, Integer::sum);
                        }
                    }
                    round.forEach((key, counts) -> {
                        int[] total = samples.computeIfAbsent(key, k -> new int[5]);
                        total[0]++;
                        for (int i = 1; i < 4; i++) {
                            total[i] += counts[i];
                        }
                        total[4] = Math.max(total[4], counts[1]);
                    });
                    roundByName.forEach((key, names) -> names.forEach((name, count) ->
                            mostByName.computeIfAbsent(key, k -> new TreeMap<>()).merge(name, count, Math::max)));
                    Thread.sleep(100);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long to = Clock.micros();
            Map<String, Long> after = serverCounts ? statements(observer) : Map.of();
            List<NodeCost> nodes = new java.util.ArrayList<>();
            for (NodeProcess node : cluster.nodes()) {
                String role = roles ? PostgresServer.role(node.slot) : "highlander:" + node.id;
                int led = 0;
                for (int i = 0; i < singletons; i++) {
                    if (cluster.leaderOf(Probes.name(i)).orElse(null) == node) {
                        led++;
                    }
                }
                long client = cluster.events(e -> e.node() == node && e.kind().equals("Q") && e.micros() >= from
                        && e.micros() < to).size();
                double server = serverCounts ? (after.getOrDefault(role, 0L) - before.getOrDefault(role, 0L)) / seconds : Double.NaN;
                int[] s = samples.getOrDefault(role, new int[5]);
                int sessions = Math.max(1, s[1]);
                // holds still running at the end are cut short by the window: left out, unless no other was seen
                Map<String, Long> roleHolds = holds.getOrDefault(role, Map.of());
                boolean anyEnded = roleHolds.keySet().stream().anyMatch(statement -> !holding.contains(statement));
                Latency held = new Latency();
                roleHolds.forEach((statement, micros) -> {
                    if (!anyEnded || !holding.contains(statement)) {
                        held.record(micros);
                    }
                });
                StringBuilder byName = new StringBuilder();
                mostByName.getOrDefault(role, Map.of()).forEach((name, most) ->
                        byName.append(byName.length() == 0 ? "" : ", ").append(name).append(" ≤ ").append(most));
                nodes.add(new NodeCost(node.id, role, led, server, client / seconds, s[1] / (double) Math.max(1, rounds),
                        s[2] / (double) sessions, s[3] / (double) sessions,
                        String.join(", ", new java.util.TreeSet<>(states.getOrDefault(role, Set.of()))), s[4],
                        byName.toString(), held));
            }
            return new Window(nodes, seconds, serverCounts);
        }
    }

    private static Map<String, Long> statements(Connection observer) throws SQLException {
        Map<String, Long> calls = new HashMap<>();
        try (PreparedStatement query = observer.prepareStatement("SELECT r.rolname, sum(s.calls)::bigint"
                + " FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid"
                + " WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) GROUP BY r.rolname");
             ResultSet row = query.executeQuery()) {
            while (row.next()) {
                calls.put(row.getString(1), row.getLong(2));
            }
        }
        return calls;
    }
}
