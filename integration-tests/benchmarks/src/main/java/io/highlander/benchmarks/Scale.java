package io.highlander.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Many nodes, each a JVM process with its own Weld container, each running the same {@code S} singletons, on a
 * PostgreSQL of their own started with a small {@code max_connections} (issue 11: 20 nodes × 50 singletons,
 * {@code max_connections = 100}): how long after the last node has started every singleton has a leader, how
 * the singletons spread over the nodes, what connections that takes; then SIGKILL of the {@code kill} nodes
 * that lead the most at once, and how long until every singleton they led runs again elsewhere.
 *
 * <p>When the nodes need more connections than the server has, the server refuses them ({@code FATAL: sorry,
 * too many clients already}, or the slots reserved for superusers); the run does not stop there: it counts
 * the refusals per node from the server log, the nodes that never became ready or hold no connection, and
 * reports whatever did happen. The harness keeps its one observer connection (a superuser, which has reserved
 * slots) open from before the nodes start.
 */
final class Scale {

    /** Refused connections, as the server logs them. */
    private static final List<String> REFUSALS = List.of("too many clients already",
            "remaining connection slots are reserved");

    /**
     * What happened. Times in ms; {@code NaN} where it did not happen within the bound; relative to the last
     * READY, negative when it happened before.
     */
    record Result(int nodes, int singletons, int maxConnections, int notReady, double launchToLastReadyMillis,
                  double lastReadyToAllLedMillis, int led, Map<String, Integer> spread, double spreadSettledMillis,
                  int serverConnections, int mostConnectionsOfANode, int nodesWithoutConnection, int refusals,
                  int nodesRefused, List<String> killed, int orphans, int reLed, Latency reLedAfterKill,
                  Map<String, Integer> spreadAfter) {

        boolean exhausted() {
            return refusals > 0 || notReady > 0 || nodesWithoutConnection > 0;
        }
    }

    private final Path logDir;

    Scale(Path logDir) {
        this.logDir = logDir;
    }

    /**
     * @param nodeCount      node processes, all launched at once
     * @param singletons     singletons on every node
     * @param maxConnections the server's {@code max_connections}
     * @param kill           nodes killed at once (those that lead the most)
     * @param quietMillis    placement counts as settled after this long without an UP or GONE line
     * @param placement      the nodes' {@code highlander.placement}: first-come or balanced
     */
    Result run(int nodeCount, int singletons, int maxConnections, int kill, long quietMillis, String placement)
            throws Exception {
        Path pgLog = Files.createDirectories(logDir.resolve("scale-pglog"));
        Map<String, String> settings = new LinkedHashMap<>(ServerLog.settings(pgLog));
        settings.put("max_connections", Integer.toString(maxConnections));
        try (PostgresServer server = PostgresServer.embedded(settings)) {
            ServerLog log = ServerLog.open(server, pgLog);
            if (!server.ensureRoles(nodeCount)) {
                throw new IllegalStateException("per-node roles are needed to tell the nodes apart on the server");
            }
            Map<String, String> props = new LinkedHashMap<>();
            props.put("bench.singletons", Integer.toString(singletons));
            props.put("highlander.placement", placement);
            String database = server.newDatabase("scale");
            long logFrom = log.mark();
            try (Connection observer = server.connect(database); // before the nodes take every slot
                 Cluster cluster = new Cluster(server, database, logDir, NodeMain.class, props, true)) {
                Start start = start(cluster, nodeCount, singletons, quietMillis);
                Map<String, Integer> perRole = Backends.perRole(observer);
                int without = (int) cluster.nodes().stream()
                        .filter(node -> perRole.getOrDefault(PostgresServer.role(node.slot), 0) == 0).count();
                Thread.sleep(300); // the logger process writes a moment later
                long logTo = log.mark();
                int refusals = REFUSALS.stream().mapToInt(text -> log.count(logFrom, logTo, text)).sum();
                int nodesRefused = (int) log.linesByRole(logFrom, logTo).entrySet().stream()
                        .filter(e -> e.getKey().startsWith("hl_bench_n") && e.getValue().fatals() > 0).count();
                Map<String, Integer> spread = spread(cluster, start.running()); // before the kill: live nodes only
                Kill killed = kill(cluster, start.running(), kill, quietMillis);
                return new Result(nodeCount, singletons, maxConnections, start.notReady(),
                        (start.lastReady() - start.launchedAt()) / 1000.0,
                        start.allLed().map(at -> (at - start.lastReady()) / 1000.0).orElse(Double.NaN),
                        start.running().size(), spread,
                        (start.settledAt() - start.lastReady()) / 1000.0,
                        perRole.values().stream().mapToInt(Integer::intValue).sum(),
                        perRole.values().stream().mapToInt(Integer::intValue).max().orElse(0), without, refusals,
                        nodesRefused, killed.victims(), killed.orphans(), killed.reLed(), killed.latency(),
                        killed.spreadAfter());
            }
        }
    }

    /** The start: launch, last READY, every singleton led, placement settled; what runs where then. */
    private record Start(long launchedAt, long lastReady, int notReady, Optional<Long> allLed, long settledAt,
                         Map<String, NodeProcess> running) {
    }

    private static Start start(Cluster cluster, int nodeCount, int singletons, long quietMillis) throws Exception {
        long launchedAt = Clock.micros();
        for (int slot = 1; slot <= nodeCount; slot++) {
            cluster.start(slot);
        }
        // every node READY, or gone, or not ready after the bound
        long readyDeadline = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() < readyDeadline && cluster.nodes().stream()
                .anyMatch(node -> node.alive() && !ready(cluster, node))) {
            Thread.sleep(100);
        }
        long lastReady = cluster.events(e -> e.is("READY", null)).stream().mapToLong(Event::micros).max()
                .orElse(launchedAt);
        int notReady = (int) cluster.nodes().stream().filter(node -> !ready(cluster, node)).count();
        // every singleton running at once (bounded: 60 s after the last READY); it may be before that READY
        Optional<Long> allLed = awaitAllRunning(cluster, singletons, lastReady, 60_000)
                .flatMap(at -> Instances.allRunningAt(cluster, singletons, Long.MIN_VALUE));
        // placement settles: no UP or GONE for a while (bounded); then the spread
        long settledAt = awaitQuiet(cluster, quietMillis, 60_000);
        return new Start(launchedAt, lastReady, notReady, allLed, settledAt, Instances.running(cluster));
    }

    /** SIGKILL of the nodes that lead the most: who, how many singletons they led, how fast those were led again. */
    private record Kill(List<String> victims, int orphans, int reLed, Latency latency, Map<String, Integer> spreadAfter) {
    }

    private static Kill kill(Cluster cluster, Map<String, NodeProcess> running, int kill, long quietMillis)
            throws InterruptedException {
        Map<NodeProcess, List<String>> led = new HashMap<>();
        running.forEach((singleton, node) -> led.computeIfAbsent(node, k -> new ArrayList<>()).add(singleton));
        List<NodeProcess> victims = cluster.nodes().stream().filter(NodeProcess::alive)
                .sorted(Comparator.comparingInt((NodeProcess node) -> led.getOrDefault(node, List.of()).size()).reversed())
                .limit(kill).toList();
        List<String> orphans = victims.stream().flatMap(node -> led.getOrDefault(node, List.of()).stream()).toList();
        long killedAt = Clock.micros();
        victims.forEach(NodeProcess::kill); // at once: no waiting between the signals
        Latency reLed = new Latency();
        int reLedCount = 0;
        long deadline = System.currentTimeMillis() + 60_000;
        for (String name : orphans) {
            try {
                Event up = cluster.await(e -> e.is("UP", name) && !victims.contains(e.node()) && e.micros() >= killedAt,
                        Math.max(1, deadline - System.currentTimeMillis()), "");
                reLed.record(up.micros() - killedAt);
                reLedCount++;
            } catch (java.util.concurrent.TimeoutException e) {
                // counted as not re-led
            }
        }
        for (NodeProcess victim : victims) {
            victim.awaitExit(10_000);
            cluster.remove(victim);
        }
        awaitQuiet(cluster, quietMillis, 30_000);
        return new Kill(victims.stream().map(node -> node.id).toList(), orphans.size(), reLedCount, reLed,
                spread(cluster, Instances.running(cluster)));
    }

    private static boolean ready(Cluster cluster, NodeProcess node) {
        return !cluster.events(e -> e.node() == node && e.is("READY", null)).isEmpty();
    }

    private static Optional<Long> awaitAllRunning(Cluster cluster, int singletons, long from, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            Optional<Long> at = Instances.allRunningAt(cluster, singletons, from);
            if (at.isPresent() || System.nanoTime() > deadline) {
                return at;
            }
            Thread.sleep(50);
        }
    }

    /** @return the instant (epoch µs) of the last UP or GONE once none came for {@code quietMillis} (bounded) */
    private static long awaitQuiet(Cluster cluster, long quietMillis, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline && Clock.micros() - Instances.lastChange(cluster) < quietMillis * 1000) {
            Thread.sleep(100);
        }
        return Instances.lastChange(cluster);
    }

    /** @return singletons led per live node, by slot */
    private static Map<String, Integer> spread(Cluster cluster, Map<String, NodeProcess> running) {
        Map<String, Integer> spread = new TreeMap<>(Comparator.comparingInt((String id) ->
                Integer.parseInt(id.replaceAll("^.*-n(\\d+)-\\d+$", "$1"))));
        for (NodeProcess node : cluster.nodes()) {
            if (node.alive()) {
                spread.put(node.id, 0);
            }
        }
        running.values().forEach(node -> spread.computeIfPresent(node.id, (id, count) -> count + 1));
        return spread;
    }
}
