package io.highlander.benchmarks;

import io.highlander.cdi.internal.threads.LifecyclePool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;

/**
 * A large cluster on one PostgreSQL (issue 22): {@code nodes} nodes, several per JVM ({@link LargeNodeMain}: each a
 * Weld container with its own node session and watcher), each with the same {@code singletons} singletons
 * ({@link ScaleProbes}), balanced placement, on an embedded server of its own whose {@code max_connections} is
 * sized by the README's rule: two per node, plus the harness and a reserve. In order: a cold start (every JVM
 * launched at once), a window of steady state (what the standbys cost the server), a node joining (a JVM with
 * one container), a node leaving gracefully, and SIGKILL of one JVM, which ends its nodes at once.
 *
 * <p>Which node runs a singleton is replayed from the probes' {@code UP}/{@code GONE} lines, which name the node.
 * Statements are the server's count ({@code pg_stat_statements}, per node role: completed statements only).
 */
final class LargeScale {

    /** The size asked for and the size run (fewer singletons when the machine cannot hold the threads). */
    record Size(int nodes, int perJvm, int singletons, int askedSingletons, long threadsNeeded, long threadsFree) {
        int jvms() {
            return (nodes + perJvm - 1) / perJvm;
        }

        int maxConnections() {
            return 2 * (nodes + 1) + 20; // two per node and the joiner; the harness's few; superusers' reserve
        }
    }

    /** The cold start. Times in ms; relative to the last READY (negative: before it). */
    record Start(double launchToLastReady, int notReady, double lastReadyToAllLed, int led, int leastLed,
                 double medianLed, int mostLed, int nodesLeading, double settled, int connections,
                 int mostConnections, int refusals) {
    }

    /** Steady state over a window. */
    record Steady(double seconds, double statementsPerSecond, double perNodeMedian, double perNodeMost,
                  double errorsPerMinute, double errorsPerNodePerMinute, String commonestError, double xminShare,
                  double longestHoldMillis, int sessions) {
    }

    /** A node joining or leaving: how many singletons moved, how long until placement settled, statements. */
    record Change(String node, int moved, int singletons, double settleMillis, double seconds,
                  double statementsPerNodeMedian, double statementsPerNodeMost, double steadyShare, int orphans,
                  Latency reLed) {
    }

    /** SIGKILL of one JVM: its nodes' singletons led again elsewhere. */
    record Kill(List<String> nodes, int orphans, int reLed, Latency latency, int leastAfter, int mostAfter) {
    }

    record Result(Size size, Start start, Steady steady, Change join, Change leave, Kill kill) {
    }

    private final Path logDir;
    private Cluster cluster;
    private final Set<String> gone = new HashSet<>();

    LargeScale(Path logDir) {
        this.logDir = logDir;
    }

    /**
     * A node's threads, whatever its number of singletons (issue 22: the singletons share the node's lifecycle
     * pool): its lock thread, watcher and lease watchdog, the pool's busy places, and room for what lives a moment
     * (cancel requests, aborts, a stuck task) and Weld's own.
     */
    static final long THREADS_PER_NODE = 3 + LifecyclePool.BUSY + 5;
    /** Each node JVM's own threads besides its nodes' (the JIT, GC, the driver's reader). */
    static final long THREADS_PER_JVM = 30;

    /**
     * @return the size to run, with the threads it needs and the room the machine has for them (pid_max minus the
     *         threads running, minus a reserve for the rest of a shared machine); a node's threads no longer grow
     *         with its singletons, so the size asked is the size run
     */
    static Size fit(int nodes, int perJvm, int singletons) {
        long pidMax = readLong(Path.of("/proc/sys/kernel/pid_max"), 32_768);
        long threadsNow;
        try (var tasks = Files.list(Path.of("/proc"))) {
            threadsNow = tasks.filter(p -> p.getFileName().toString().matches("\\d+")).mapToLong(p -> {
                try (var list = Files.list(p.resolve("task"))) {
                    return list.count();
                } catch (IOException | RuntimeException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            threadsNow = 1_000;
        }
        long free = pidMax - threadsNow - 8_000; // room for the rest of the machine (a shared one)
        int jvms = (nodes + perJvm - 1) / perJvm;
        long need = nodes * THREADS_PER_NODE + jvms * THREADS_PER_JVM;
        return new Size(nodes, perJvm, singletons, singletons, need, free);
    }

    Result run(Size size, long quietMillis, long windowMillis) throws Exception {
        Path pgLog = Files.createDirectories(logDir.resolve("large-pglog"));
        Map<String, String> settings = new LinkedHashMap<>(ServerLog.settings(pgLog));
        settings.put("max_connections", Integer.toString(size.maxConnections()));
        try (PostgresServer server = PostgresServer.embedded(settings)) {
            ServerLog log = ServerLog.open(server, pgLog);
            if (!server.ensureRoles(size.nodes() + 1)) {
                throw new IllegalStateException("per-node roles are needed to tell the nodes apart on the server");
            }
            Map<String, String> props = new LinkedHashMap<>();
            props.put("bench.singletons", Integer.toString(size.singletons()));
            props.put("highlander.placement", "balanced");
            props.put("bench.jvm.xmx", (128 + size.perJvm() * size.singletons() / 10) + "m");
            String database = server.newDatabase("large");
            long logFrom = log.mark();
            try (Connection observer = server.connect(database); // before the nodes take every slot
                 Cluster nodes = new Cluster(server, database, logDir, LargeNodeMain.class, props, true)) {
                cluster = nodes;
                Start start = start(size, observer, log, logFrom, quietMillis);
                Steady steady = steady(size, observer, log, windowMillis);
                Change join = join(size, observer, quietMillis, steady);
                Change leave = leave(size, observer, quietMillis, steady);
                Kill kill = kill(size, quietMillis);
                return new Result(size, start, steady, join, leave, kill);
            }
        }
    }

    // ---- the parts ----

    private Start start(Size size, Connection observer, ServerLog log, long logFrom, long quietMillis)
            throws Exception {
        long launchedAt = Clock.micros();
        for (int jvm = 1; jvm <= size.jvms(); jvm++) {
            int first = (jvm - 1) * size.perJvm() + 1;
            int containers = Math.min(size.perJvm(), size.nodes() - first + 1);
            cluster.start(jvm, Map.of("bench.slot.first", Integer.toString(first),
                    "bench.containers", Integer.toString(containers)));
        }
        long deadline = System.nanoTime() + 900_000_000_000L;
        while (System.nanoTime() < deadline && readyNodes().size() < size.nodes()
                && cluster.nodes().stream().allMatch(NodeProcess::alive)) {
            Thread.sleep(250);
        }
        int notReady = size.nodes() - readyNodes().size();
        long lastReady = cluster.events(e -> e.is("READY", null)).stream().mapToLong(Event::micros).max()
                .orElse(launchedAt);
        Optional<Long> allLed = awaitAllRunning(size.singletons(), 180_000);
        long settled = awaitQuiet(quietMillis, 180_000);
        Map<String, Integer> perRole = Backends.perRole(observer);
        Thread.sleep(300); // the logger process writes a moment later
        int refusals = log.count(logFrom, log.mark(), "too many clients already")
                + log.count(logFrom, log.mark(), "remaining connection slots are reserved");
        List<Integer> spread = spread(running());
        return new Start((lastReady - launchedAt) / 1000.0, notReady,
                allLed.map(at -> (at - lastReady) / 1000.0).orElse(Double.NaN), running().size(),
                spread.isEmpty() ? 0 : spread.get(0), median(spread), spread.isEmpty() ? 0 : spread.get(spread.size() - 1),
                (int) spread.stream().filter(n -> n > 0).count(), (settled - lastReady) / 1000.0,
                perRole.values().stream().mapToInt(Integer::intValue).sum(),
                perRole.values().stream().mapToInt(Integer::intValue).max().orElse(0), refusals);
    }

    private Steady steady(Size size, Connection observer, ServerLog log, long windowMillis) throws Exception {
        Thread.sleep(1_000); // the last moves' statements out of the window
        Map<String, Long> before = statements(observer);
        long logFrom = log.mark();
        long start = System.nanoTime();
        int samples = 0;
        int sessions = 0;
        int holding = 0;
        long longestHold = 0;
        try (PreparedStatement activity = observer.prepareStatement("SELECT count(*), count(backend_xmin),"
                + " coalesce(max(extract(epoch FROM clock_timestamp() - xact_start) * 1000)"
                + " FILTER (WHERE backend_xmin IS NOT NULL), 0)::bigint FROM pg_stat_activity"
                + " WHERE datname = current_database() AND usename LIKE 'hl\\_bench\\_n%'")) {
            while (System.nanoTime() - start < windowMillis * 1_000_000L) {
                try (ResultSet row = activity.executeQuery()) {
                    row.next();
                    samples++;
                    sessions += row.getInt(1);
                    holding += row.getInt(2);
                    longestHold = Math.max(longestHold, row.getLong(3));
                }
                Thread.sleep(200);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Long> after = statements(observer);
        Thread.sleep(300);
        Map<String, ServerLog.RoleLines> lines = log.linesByRole(logFrom, log.mark());
        List<Double> perNode = new ArrayList<>();
        for (int slot = 1; slot <= size.nodes(); slot++) {
            String role = PostgresServer.role(slot);
            perNode.add((after.getOrDefault(role, 0L) - before.getOrDefault(role, 0L)) / seconds);
        }
        perNode.sort(Comparator.naturalOrder());
        int errors = lines.entrySet().stream().filter(e -> e.getKey().startsWith("hl_bench_n"))
                .mapToInt(e -> e.getValue().errors()).sum();
        String commonest = lines.values().stream().filter(l -> l.errors() > 0)
                .map(ServerLog.RoleLines::commonest).findFirst().orElse("");
        double minutes = seconds / 60.0;
        return new Steady(seconds, perNode.stream().mapToDouble(Double::doubleValue).sum(),
                perNode.get(perNode.size() / 2), perNode.get(perNode.size() - 1), errors / minutes,
                errors / minutes / size.nodes(), commonest, sessions == 0 ? 0 : holding / (double) sessions,
                longestHold, samples == 0 ? 0 : sessions / samples);
    }

    private Change join(Size size, Connection observer, long quietMillis, Steady steady) throws Exception {
        Map<String, String> before = running();
        Map<String, Long> statementsBefore = statements(observer);
        long sentAt = System.nanoTime();
        int slot = size.nodes() + 1;
        String node = "n" + slot;
        cluster.start(size.jvms() + 1, Map.of("bench.slot.first", Integer.toString(slot), "bench.containers", "1"));
        Event ready = cluster.await(e -> e.is("READY", node), 300_000, "READY of the joining node " + node);
        long settled = awaitQuiet(quietMillis, 120_000);
        return change(node, size, before, statementsBefore, sentAt, observer, settled - ready.micros(),
                steady, List.of(), new Latency());
    }

    private Change leave(Size size, Connection observer, long quietMillis, Steady steady) throws Exception {
        Map<String, String> before = running();
        // the node that leads the most, in the last JVM (the kill takes the first)
        NodeProcess host = cluster.nodes().get(size.jvms() - 1);
        int first = (size.jvms() - 1) * size.perJvm() + 1;
        String node = "n" + first;
        for (int slot = first; slot <= size.nodes(); slot++) {
            String candidate = "n" + slot;
            if (count(before, candidate) > count(before, node)) {
                node = candidate;
            }
        }
        String leaving = node;
        List<String> orphans = before.entrySet().stream().filter(e -> e.getValue().equals(leaving))
                .map(Map.Entry::getKey).toList();
        Map<String, Long> statementsBefore = statements(observer);
        long sentAt = System.nanoTime();
        long at = Clock.micros();
        host.send("stop " + leaving);
        Latency reLed = reLed(orphans, Set.of(leaving), at, 60_000);
        gone.add(leaving);
        long settled = awaitQuiet(quietMillis, 120_000);
        return change(leaving, size, before, statementsBefore, sentAt, observer, settled - at, steady,
                orphans, reLed);
    }

    private Change change(String node, Size size, Map<String, String> before, Map<String, Long> statementsBefore,
                          long sentAt, Connection observer, long settleMicros, Steady steady, List<String> orphans,
                          Latency reLed) throws SQLException {
        Map<String, Long> after = statements(observer);
        double seconds = (System.nanoTime() - sentAt) / 1e9;
        Map<String, String> now = running();
        int moved = 0;
        for (Map.Entry<String, String> entry : now.entrySet()) {
            if (!entry.getValue().equals(before.get(entry.getKey()))) {
                moved++;
            }
        }
        List<Double> perNode = new ArrayList<>();
        for (int slot = 1; slot <= size.nodes(); slot++) {
            if (!gone.contains("n" + slot) || ("n" + slot).equals(node)) {
                String role = PostgresServer.role(slot);
                perNode.add((double) (after.getOrDefault(role, 0L) - statementsBefore.getOrDefault(role, 0L)));
            }
        }
        perNode.sort(Comparator.naturalOrder());
        double steadyPerNode = steady.perNodeMedian() * seconds;
        return new Change(node, moved, size.singletons(), settleMicros / 1000.0, seconds, perNode.get(perNode.size() / 2),
                perNode.get(perNode.size() - 1), steadyPerNode, orphans.size(), reLed);
    }

    private Kill kill(Size size, long quietMillis) throws Exception {
        NodeProcess victim = cluster.nodes().get(0); // JVM 1: nodes n1..n<perJvm>
        Set<String> victims = new HashSet<>();
        for (int slot = 1; slot <= Math.min(size.perJvm(), size.nodes()); slot++) {
            if (!gone.contains("n" + slot)) {
                victims.add("n" + slot);
            }
        }
        List<String> orphans = running().entrySet().stream().filter(e -> victims.contains(e.getValue()))
                .map(Map.Entry::getKey).toList();
        long killedAt = Clock.micros();
        victim.kill();
        Latency latency = reLed(orphans, victims, killedAt, 60_000);
        gone.addAll(victims);
        victim.awaitExit(10_000);
        cluster.remove(victim);
        awaitQuiet(quietMillis, 60_000);
        List<Integer> spread = spread(running());
        return new Kill(new ArrayList<>(new java.util.TreeSet<>(victims)), orphans.size(), (int) latency.count(),
                latency, spread.isEmpty() ? 0 : spread.get(0), spread.isEmpty() ? 0 : spread.get(spread.size() - 1));
    }

    // ---- replaying the probes' lines ----

    /** @return for each orphan, the time from {@code fromMicros} to its first UP on a node not in {@code victims} */
    private Latency reLed(List<String> orphans, Set<String> victims, long fromMicros, long boundMillis)
            throws InterruptedException {
        Latency latency = new Latency();
        long deadline = System.currentTimeMillis() + boundMillis;
        for (String name : orphans) {
            try {
                Event up = cluster.await(e -> e.is("UP", name) && e.detail() != null && !victims.contains(e.detail())
                        && e.micros() >= fromMicros, Math.max(1, deadline - System.currentTimeMillis()), name);
                latency.record(up.micros() - fromMicros);
            } catch (TimeoutException e) {
                // not re-led within the bound: counted by the caller
            }
        }
        return latency;
    }

    private Set<String> readyNodes() {
        Set<String> ready = new HashSet<>();
        cluster.events(e -> e.is("READY", null)).forEach(e -> ready.add(e.name()));
        return ready;
    }

    /** @return the node each singleton runs on now, by the UP/GONE lines; nodes that left or died excluded */
    private Map<String, String> running() {
        Map<String, String> running = new HashMap<>();
        for (Event event : ordered()) {
            apply(running, event);
        }
        running.values().removeIf(gone::contains);
        return running;
    }

    private Optional<Long> awaitAllRunning(int singletons, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            Map<String, String> running = new HashMap<>();
            for (Event event : ordered()) {
                apply(running, event);
                if (running.size() == singletons) {
                    return Optional.of(event.micros());
                }
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            Thread.sleep(250);
        }
    }

    /** @return the instant (epoch µs) of the last UP or GONE once none came for {@code quietMillis} (bounded) */
    private long awaitQuiet(long quietMillis, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline && Clock.micros() - lastChange() < quietMillis * 1000) {
            Thread.sleep(100);
        }
        return lastChange();
    }

    private long lastChange() {
        return cluster.events(e -> e.kind().equals("UP") || e.kind().equals("GONE")).stream()
                .mapToLong(Event::micros).max().orElse(Long.MIN_VALUE);
    }

    private List<Event> ordered() {
        return cluster.events(e -> (e.kind().equals("UP") || e.kind().equals("GONE")) && e.detail() != null)
                .stream().sorted(Comparator.comparingLong(Event::micros)).toList();
    }

    private static void apply(Map<String, String> running, Event event) {
        if (event.kind().equals("UP")) {
            running.put(event.name(), event.detail());
        } else if (event.detail().equals(running.get(event.name()))) {
            running.remove(event.name());
        }
    }

    /** @return the singletons led per live node (nodes that lead none included), ascending */
    private List<Integer> spread(Map<String, String> running) {
        Map<String, Integer> perNode = new TreeMap<>();
        readyNodes().stream().filter(node -> !gone.contains(node)).forEach(node -> perNode.put(node, 0));
        running.values().forEach(node -> perNode.merge(node, 1, Integer::sum));
        return perNode.values().stream().sorted().toList();
    }

    private static int count(Map<String, String> running, String node) {
        return (int) running.values().stream().filter(node::equals).count();
    }

    private static double median(List<Integer> sorted) {
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    /** @return completed statements per node role so far ({@code pg_stat_statements}, this database) */
    private static Map<String, Long> statements(Connection observer) throws SQLException {
        Map<String, Long> calls = new HashMap<>();
        try (PreparedStatement query = observer.prepareStatement("SELECT r.rolname, sum(s.calls)::bigint"
                + " FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid"
                + " WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " GROUP BY r.rolname");
             ResultSet row = query.executeQuery()) {
            while (row.next()) {
                calls.put(row.getString(1), row.getLong(2));
            }
        }
        return calls;
    }

    private static long readLong(Path file, long otherwise) {
        try {
            return Long.parseLong(Files.readAllLines(file).get(0).trim()); // not readString: procfs files say size 0
        } catch (IOException | RuntimeException e) {
            return otherwise;
        }
    }
}
