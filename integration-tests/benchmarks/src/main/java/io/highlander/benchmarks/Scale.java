package io.highlander.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Many nodes, each a JVM process with its own Weld container, each running the same {@code S} singletons, on
 * one PostgreSQL: time until every singleton has a leader, how they spread, connections, the steady cost,
 * and the failover after SIGKILL of the node that leads the most.
 */
final class Scale {

    record Result(int nodes, int singletons, double allLedAfterLaunchMillis, double firstReadyAfterLaunchMillis,
                  List<Integer> spread, int nodesLeading, int connections, DatabaseCost.Window cost,
                  int killedLed, Latency failover, List<Integer> spreadAfter) {
    }

    private final PostgresServer server;
    private final Path logDir;

    Scale(PostgresServer server, Path logDir) {
        this.server = server;
        this.logDir = logDir;
    }

    Result run(int nodeCount, int singletons, Map<String, String> properties, long windowMillis) throws Exception {
        boolean roles = server.ensureRoles(nodeCount);
        Map<String, String> props = new LinkedHashMap<>(properties);
        props.put("bench.singletons", Integer.toString(singletons));
        String database = server.newDatabase("scale");
        try (Cluster cluster = new Cluster(server, database, logDir, NodeMain.class, props, roles)) {
            long launchedAt = Clock.micros();
            for (int slot = 1; slot <= nodeCount; slot++) {
                cluster.start(slot);
            }
            long lastUp = 0;
            for (int i = 0; i < singletons; i++) {
                String name = Probes.name(i);
                lastUp = Math.max(lastUp, cluster.await(e -> e.is("UP", name), 300_000, "a leader of " + name).micros());
            }
            long firstReady = Long.MAX_VALUE;
            for (NodeProcess node : cluster.nodes()) {
                firstReady = Math.min(firstReady, cluster.await(e -> e.node() == node && e.is("READY", null), 300_000,
                        "READY of " + node).micros());
            }
            cluster.awaitWaiters("highlander:", (nodeCount - 1) * singletons, 120_000);
            List<Integer> spread = spread(cluster, singletons);
            int connections;
            try (Connection observer = server.connect(database);
                 PreparedStatement count = observer.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                         + " WHERE datname = current_database() AND application_name LIKE 'highlander:%'");
                 ResultSet row = count.executeQuery()) {
                row.next();
                connections = row.getInt(1);
            }
            Thread.sleep(1_000);
            DatabaseCost.Window cost = new DatabaseCost(server, logDir).window(cluster, database, singletons, windowMillis, roles);

            // SIGKILL the node that leads the most
            Map<NodeProcess, List<String>> led = ledBy(cluster, singletons);
            NodeProcess victim = led.entrySet().stream().max((a, b) -> a.getValue().size() - b.getValue().size())
                    .orElseThrow().getKey();
            List<String> moved = led.get(victim);
            long killedAt = Clock.micros();
            victim.kill();
            Latency failover = new Latency();
            for (String name : moved) {
                Event up = cluster.await(e -> e.is("UP", name) && e.node() != victim && e.micros() >= killedAt, 60_000,
                        "a new leader of " + name);
                failover.record(up.micros() - killedAt);
            }
            victim.awaitExit(10_000);
            cluster.remove(victim);
            return new Result(nodeCount, singletons, (lastUp - launchedAt) / 1000.0,
                    (firstReady - launchedAt) / 1000.0, spread, (int) spread.stream().filter(n -> n > 0).count(),
                    connections, cost, moved.size(), failover, spread(cluster, singletons));
        }
    }

    private static Map<NodeProcess, List<String>> ledBy(Cluster cluster, int singletons) {
        Map<NodeProcess, List<String>> led = new HashMap<>();
        for (int i = 0; i < singletons; i++) {
            String name = Probes.name(i);
            cluster.leaderOf(name).ifPresent(node -> led.computeIfAbsent(node, k -> new ArrayList<>()).add(name));
        }
        return led;
    }

    /** @return singletons led per live node, largest first */
    private static List<Integer> spread(Cluster cluster, int singletons) {
        Map<NodeProcess, List<String>> led = ledBy(cluster, singletons);
        List<Integer> counts = new ArrayList<>();
        for (NodeProcess node : cluster.nodes()) {
            if (node.alive()) {
                counts.add(led.getOrDefault(node, List.of()).size());
            }
        }
        counts.sort((a, b) -> b - a);
        return counts;
    }
}
