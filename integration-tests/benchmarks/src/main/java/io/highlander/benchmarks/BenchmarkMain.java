package io.highlander.benchmarks;

import io.highlander.benchmarks.Failover.Fault;
import io.highlander.benchmarks.Failover.Trials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole benchmark: failover (with the raw PostgreSQL floor in the same run), database cost, node sessions
 * and overlap after a server-side session end, scale and call overhead; prints the machine, JDK, PostgreSQL and
 * settings, then Markdown tables.
 * {@code -Dbench.mode=quick} runs every row with few trials (CI); {@code full} is the documented run.
 */
public final class BenchmarkMain {

    /** Every row id a run produces; the CI test checks them all. */
    public static final List<String> ROWS = List.of("F0", "F1", "F1w", "F2", "F2w", "F3", "F4", "F5", "F6", "F7", "F8",
            "F9", "F10", "X1", "X2", "X3", "X4", "C1", "C2", "C3", "C4", "C5", "N1", "N2", "N3", "N4", "N5", "N6", "N7",
            "O1", "O2", "S1", "S2", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "J1", "J2", "J3", "J4", "J5", "J6",
            "T1", "T2", "T3");

    private static final String SINGLETON_DEFAULTS = "lease 10s, heartbeat 2s (L/5), stop-margin 1s (L/10), "
            + "standby interval 5s (one lock session per singleton: blocking standbys; issue 11's node session: the "
            + "safety-net try), watcher wait 1 min (issue 11)";

    /** A part that starts above this 1-minute load average is flagged (issue 12: such a run is repeated). */
    private static final double MAX_IDLE_LOAD = 1.5;

    private final boolean quick;
    private final Report report = new Report();

    private BenchmarkMain(boolean quick) {
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = "quick".equals(System.getProperty("bench.mode", "full")) || System.getProperty("quick") != null;
        Report report = run(quick);
        String out = System.getProperty("bench.out");
        if (out != null) {
            Files.writeString(Path.of(out), report.text());
        }
        System.exit(0);
    }

    /** Runs everything; returns the report. */
    public static Report run(boolean quick) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        BenchmarkMain main = new BenchmarkMain(quick);
        main.runAll();
        return main.report;
    }

    private int n(int full, int quickCount) {
        return quick ? quickCount : full;
    }

    private void runAll() throws Exception {
        Path logDir = Files.createTempDirectory("highlander-bench-");
        String loadBefore = load();
        NodeProcess.isolateClassPath(logDir.resolve("lib"));
        try (PostgresServer server = PostgresServer.start()) {
            header(server, logDir, loadBefore);
            String only = System.getProperty("bench.only", "failover,creation,cost,sessions,scale,large,calls,fence"); // for working on one part
            if (only.contains("failover")) {
                partStarts("failover");
                failover(server, logDir);
                report.line("");
                report.line("(load average at the end of this part: " + load() + ")");
            }
            if (only.contains("creation")) {
                partStarts("creation");
                creation(logDir);
                report.line("");
                report.line("(load average at the end of this part: " + load() + ")");
            }
            if (only.contains("cost")) {
                partStarts("cost");
                cost(server, logDir);
                report.line("");
                report.line("(load average at the end of this part: " + load() + ")");
            }
            if (only.contains("sessions")) {
                partStarts("sessions");
                new SessionRows(report, quick, logDir).run();
                report.line("");
                report.line("(load average at the end of this part: " + load() + ")");
            }
            if (only.contains("scale")) {
                partStarts("scale");
                new ScaleRows(report, quick, logDir).run();
                report.line("");
                report.line("(load average at the end of this part: " + load() + ")");
            }
            if (only.contains("large")) {
                partStarts("large");
                new LargeScaleRows(report, quick, logDir).run();
                report.line("");
                report.line("(load average at the end of this part: " + load() + ")");
            }
            if (only.contains("calls")) {
                partStarts("calls");
                calls(server, logDir);
                report.line("");
                report.line("(load average at the end of this part: " + load() + ")");
            }
            if (only.contains("fence")) {
                partStarts("fence");
                fence(server);
                report.line("");
                report.line("(load average at the end of this part: " + load() + ")");
            }
        }
        deleteTree(logDir.resolve("lib")); // the class-path copy; the node logs stay
        report.line("");
        report.line("Finished " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "; load average at the end: " + load()
                + ". Node logs: " + logDir);
    }

    /**
     * Prints the load average as a part starts, and flags the part if the machine was not idle then: its figures
     * would measure other processes' scheduling as much as ours (the README's rule: repeat such a part).
     */
    private void partStarts(String part) {
        String now = load();
        report.line("");
        report.line("(" + part + ": load average at the start of this part: " + now + ")");
        double oneMinute;
        try {
            oneMinute = Double.parseDouble(now.split(" ")[0]);
        } catch (RuntimeException e) {
            return;
        }
        if (oneMinute > MAX_IDLE_LOAD) {
            report.line("");
            report.line("**LOADED: the " + part + " part started at a load average of " + oneMinute + " (> " + MAX_IDLE_LOAD
                    + "); its figures are not from an idle machine. Repeat this part on an idle machine.**");
        }
    }

    private void header(PostgresServer server, Path logDir, String loadBefore) throws IOException {
        report.line("## Highlander benchmark (" + (quick ? "quick" : "full") + " run)");
        report.line("");
        report.line("- Date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        report.line("- Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), "
                + memory() + " RAM, " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        report.line("- Load average (1/5/15 min) at the start: " + loadBefore);
        report.line("- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; node JVMs: " + String.join(" ", NodeProcess.JVM_FLAGS));
        report.line("- PostgreSQL: " + server.version() + " [" + server.kind() + ", loopback]");
        report.line("- Library settings unless a row says otherwise: " + SINGLETON_DEFAULTS + "; highlander.takeover="
                + NodeProcess.takeover());
        report.line("- Times are from the fault (the harness's clock read just before the signal) to the first line of"
                + " the new leader's @PostConstruct, in ms; all processes share one wall clock.");
    }

    // ---- failover ----

    private void failover(PostgresServer server, Path logDir) throws Exception {
        Failover failover = new Failover(server, logDir, quick ? 200 : 300, quick);
        int trials = Integer.getInteger("bench.trials", n(30, 3)); // ≥ 30 in the full run: F1–F5, F10 and the floors
        // -Dbench.failover=takeover: only the rows of a takeover (floors, F3–F5, F10), for a short comparison
        boolean all = !"takeover".equals(System.getProperty("bench.failover", "all"));
        Map<String, String> warmFloor = Map.of("bench.raw.warm", "true");
        Latency connectionFloor = failover.connectionFloor(n(200, 20));
        Trials rawTerm = failover.run("rawterm", RawNodeMain.class, Map.of(), Fault.TERM, trials, "raw:", 0, 30_000);
        Trials rawTermWarm = failover.run("rawtermw", RawNodeMain.class, warmFloor, Fault.TERM, trials, "raw:", 0, 30_000);
        Trials rawKill = failover.run("rawkill", RawNodeMain.class, Map.of(), Fault.KILL, trials, "raw:", 0, 30_000);
        Trials rawKillWarm = failover.run("rawkillw", RawNodeMain.class, warmFloor, Fault.KILL, trials, "raw:", 0, 30_000);
        Trials term = failover.run("term", NodeMain.class, Map.of(), Fault.TERM, trials, "highlander:", 0, 30_000);
        Trials kill = failover.run("kill", NodeMain.class, Map.of(), Fault.KILL, trials, "highlander:", 0, 30_000);
        Trials warm = failover.run("stepdown", NodeMain.class, Map.of(), Fault.STEPDOWN, trials, "highlander:", 0, 30_000);
        Trials pollTerm = null;
        Trials pollKill = null;
        Trials frozenShort = null;
        Trials frozenDefault = null;
        if (all) {
            // standbys that hear no notice: connections that do not unwrap to pgjdbc, the heartbeat-only fallback
            Map<String, String> polling = Map.of("bench.notices", "off");
            pollTerm = failover.run("pollterm", NodeMain.class, polling, Fault.TERM, n(10, 1), null, 0, 30_000);
            pollKill = failover.run("pollkill", NodeMain.class, polling, Fault.KILL, n(10, 1), null, 0, 30_000);
            frozenShort = failover.run("stop2s", NodeMain.class, Map.of("highlander.lease", "2s"), Fault.STOP,
                    n(30, 2), "highlander:", 2_000_000, 30_000);
            frozenDefault = failover.run("stop10s", NodeMain.class, Map.of(), Fault.STOP, n(5, 1), "highlander:",
                    10_000_000, 60_000);
        }

        report.section("Failover: 3 node processes, one singleton (ms)", "measurement", "n", "median", "p95", "p99", "max",
                "cold floor (median / p95)", "vs cold floor: median; p95", "warm floor (median / p95)",
                "vs warm floor: median; p95", "target", "met?");
        String unlockStep = "unlock sent → @PostConstruct";
        Latency rawUnlockToUp = rawTerm.steps.getOrDefault(unlockStep, new Latency());
        Latency warmUnlockToUp = rawTermWarm.steps.getOrDefault(unlockStep, new Latency());
        floorRow("F0", "floor: raw JDBC, unlock → waiting connection's lock returns (same JVM)", connectionFloor);
        floorRow("F1", "floor, cold: 3 raw JDBC node JVMs, SIGTERM (hook unlocks) → next node's lock returns",
                rawTerm.total);
        floorRow("F1w", "floor, warm: the same, each raw node first sent a standby's statements", rawTermWarm.total);
        floorRow("F2", "floor, cold: 3 raw JDBC node JVMs, SIGKILL → next node's lock returns", rawKill.total);
        floorRow("F2w", "floor, warm: the same, each raw node first sent a standby's statements", rawKillWarm.total);
        Latency unlockToUp = term.steps.getOrDefault(unlockStep, new Latency());
        row("F3", "Highlander, graceful: unlock sent (old leader) → new @PostConstruct (floors: F1/F1w's unlock → lock)",
                unlockToUp, rawUnlockToUp, warmUnlockToUp, "median and p95 ≤ warm + 5", withinOf(unlockToUp, warmUnlockToUp, 5));
        row("F4", "Highlander, graceful: SIGTERM → new @PostConstruct", term.total, rawTerm.total, rawTermWarm.total,
                "median and p95 ≤ F1w + 5", withinOf(term.total, rawTermWarm.total, 5));
        row("F5", "Highlander, SIGKILL → new @PostConstruct", kill.total, rawKill.total, rawKillWarm.total,
                "median and p95 ≤ F2w + 5", withinOf(kill.total, rawKillWarm.total, 5));
        if (all) {
            row("F6", "Highlander, leader frozen (SIGSTOP), lease 2s", frozenShort.total, null, null,
                    "max ≤ L + 1 s = 3000", frozenShort.total.maxMillis() <= 3_000);
            row("F7", "Highlander, leader frozen (SIGSTOP), lease 10s (default)", frozenDefault.total, null, null,
                    "max ≤ L + 1 s = 11000", frozenDefault.total.maxMillis() <= 11_000);
            row("F8", "Highlander, standbys without notices (polling / heartbeat-only, 5s), SIGTERM → new @PostConstruct", pollTerm.total, rawTerm.total,
                    rawTermWarm.total, "≤ interval (5000)", pollTerm.total.maxMillis() <= 5_000 + 1_000);
            row("F9", "Highlander, standbys without notices (polling / heartbeat-only, 5s), SIGKILL → new @PostConstruct", pollKill.total, rawKill.total,
                    rawKillWarm.total, "≤ interval (5000)", pollKill.total.maxMillis() <= 5_000 + 1_000);
        }
        Latency stepDown = warm.steps.getOrDefault(unlockStep, new Latency());
        row("F10", "Highlander, stepDown(name, 1 s hold-off) hand-over between warm JVMs: unlock sent → new @PostConstruct (floors: F1/F1w's"
                + " unlock → lock)", stepDown, rawUnlockToUp, warmUnlockToUp, "median and p95 ≤ 5",
                stepDown.percentileMillis(50) <= 5 && stepDown.percentileMillis(95) <= 5);

        report.line("");
        report.line("Where the time goes (each step's median / p99 / max, ms; from the nodes' JDBC trace and time stamps):");
        report.line("");
        steps("F1 raw SIGTERM, cold", rawTerm);
        steps("F1w raw SIGTERM, warm", rawTermWarm);
        steps("F2w raw SIGKILL, warm", rawKillWarm);
        steps("F4 graceful", term);
        steps("F5 SIGKILL", kill);
        steps("F10 stepDown, warm", warm);
        if (all) {
            steps("F6 frozen, L=2s", frozenShort);
            steps("F7 frozen, L=10s", frozenDefault);
            steps("F8 no notices, SIGTERM", pollTerm);
            steps("F9 no notices, SIGKILL", pollKill);
        }
    }

    /** @return whether both the median and the p95 of {@code ours} are within {@code plusMillis} of the floor's */
    private static boolean withinOf(Latency ours, Latency floor, double plusMillis) {
        return ours.percentileMillis(50) <= floor.percentileMillis(50) + plusMillis
                && ours.percentileMillis(95) <= floor.percentileMillis(95) + plusMillis;
    }

    private void floorRow(String id, String what, Latency floor) {
        report.row(id, what, floor.count(), floor.median(), floor.p95(), floor.p99(), floor.max(), "—", "—", "—", "—",
                "—", "—");
    }

    private void row(String id, String what, Latency ours, Latency coldFloor, Latency warmFloor, String target,
                     boolean met) {
        report.row(id, what, ours.count(), ours.median(), ours.p95(), ours.p99(), ours.max(), floorText(coldFloor),
                versus(ours, coldFloor), floorText(warmFloor), versus(ours, warmFloor), target, met ? "yes" : "**no**");
    }

    private static String floorText(Latency floor) {
        return floor == null ? "—" : floor.median() + " / " + floor.p95();
    }

    /** @return "÷ and + ms at the median; the same at p95", e.g. "3.1× +12.3; 2.0× +20.1" */
    private static String versus(Latency ours, Latency floor) {
        if (floor == null) {
            return "—";
        }
        return versusAt(ours, floor, 50) + "; " + versusAt(ours, floor, 95);
    }

    private static String versusAt(Latency ours, Latency floor, double percentile) {
        double mine = ours.percentileMillis(percentile);
        double base = floor.percentileMillis(percentile);
        return String.format(Locale.ROOT, "%.1f× %+.1f", mine / base, mine - base);
    }

    private void steps(String label, Trials trials) {
        StringBuilder line = new StringBuilder("- ").append(label).append(": ");
        String separator = "";
        for (Map.Entry<String, Latency> step : trials.steps.entrySet()) {
            line.append(separator).append(step.getKey()).append(" ").append(step.getValue().summary());
            separator = "; ";
        }
        report.line(line.toString());
    }

    // ---- the container's share ----

    private void creation(Path logDir) throws Exception {
        int jvms = n(15, 2);
        Creation.Samples samples = new Creation(logDir).run(jvms);
        report.section("The container's share: Weld SE creates a singleton-like bean (an @ApplicationScoped and a"
                        + " @Dependent dependency), context → instance → first line of @PostConstruct, one fresh JVM per"
                        + " sample (ms)", "measurement", "n", "median", "p95", "max");
        report.row("X1", "first creation in the JVM, nothing prepared", samples.coldFirst.count(),
                samples.coldFirst.median(), samples.coldFirst.p95(), samples.coldFirst.max());
        report.row("X2", "first creation after ClusterSingletonContext.prepare (what a standby's warm-up does)",
                samples.preparedFirst.count(), samples.preparedFirst.median(), samples.preparedFirst.p95(),
                samples.preparedFirst.max());
        report.row("X3", "second creation in the same JVM (both kinds)", samples.second.count(), samples.second.median(),
                samples.second.p95(), samples.second.max());
        report.row("X4", "the preparation itself (on a standby, off the takeover path)", samples.prepare.count(),
                samples.prepare.median(), samples.prepare.p95(), samples.prepare.max());
    }

    // ---- database cost ----

    private void cost(PostgresServer server, Path logDir) throws Exception {
        DatabaseCost cost = new DatabaseCost(server, logDir);
        long window = n(30_000, 3_000);
        DatabaseCost.Window blocking = cost.measure("costblock", 3, 1, Map.of(), "highlander:", window);
        DatabaseCost.Window polling = cost.measure("costpoll", 3, 1,
                Map.of("bench.notices", "off"), null, window);
        int many = n(10, 3);
        DatabaseCost.Window manyPerNode = cost.measure("costmany", 3, many, Map.of(), "highlander:", n(20_000, 3_000));

        report.section("Database cost per node, nothing failing (" + Math.round(blocking.seconds()) + " s window)",
                "node", "statements/s seen by server (pg_stat_statements)", "statements/s sent (incl. errors)",
                "connections", "session active", "snapshot held (backend_xmin set)", "states seen", "target", "met?");
        costRow("C1", "leader, default settings", leader(blocking), "≤ 1 statement/s, ≤ 2 connections", 1.0);
        costRow("C2", "standby, default settings", standby(blocking), "~0 statements/s, ≤ 2 connections", 0.25);
        costRow("C3", "leader, standbys without notices (polling / heartbeat-only)", leader(polling),
                "≤ 1 statement/s, ≤ 2 connections", 1.0);
        costRow("C4", "standby without notices (polling / heartbeat-only)", standby(polling),
                "~0 statements/s, ≤ 2 connections", 0.25);
        DatabaseCost.NodeCost busiest = manyPerNode.nodes().stream()
                .max((a, b) -> Integer.compare(a.singletonsLed(), b.singletonsLed())).orElseThrow();
        DatabaseCost.NodeCost idlest = manyPerNode.nodes().stream()
                .min((a, b) -> Integer.compare(a.singletonsLed(), b.singletonsLed())).orElseThrow();
        report.row("C5", "3 nodes × " + many + " singletons: node leading " + busiest.singletonsLed() + " / node leading "
                        + idlest.singletonsLed(),
                fmt(busiest.serverPerSecond()) + " / " + fmt(idlest.serverPerSecond()),
                fmt(busiest.clientPerSecond()) + " / " + fmt(idlest.clientPerSecond()),
                fmt(busiest.connections()) + " / " + fmt(idlest.connections()), "—", "—", "—",
                "≤ 2 connections per node", busiest.connections() <= 2.01 ? "yes" : "**no** (one per singleton)");
        report.line("");
        report.line("Server counts: pg_stat_statements per role (each node slot logs in as its own role); it counts only"
                + " statements that complete, so a blocking standby's wait that ends in lock_timeout (every interval) shows"
                + " only in the client column (the nodes' JDBC trace). Session states sampled from pg_stat_activity every 100 ms.");
    }

    private static DatabaseCost.NodeCost leader(DatabaseCost.Window window) {
        return window.nodes().stream().filter(node -> node.singletonsLed() > 0).findFirst().orElseThrow();
    }

    private static DatabaseCost.NodeCost standby(DatabaseCost.Window window) {
        return window.nodes().stream().filter(node -> node.singletonsLed() == 0).findFirst().orElseThrow();
    }

    private void costRow(String id, String what, DatabaseCost.NodeCost node, String target, double limit) {
        // ≤ 2: issue 11's node session and watcher; one lock session per singleton has 1 here (one singleton)
        boolean met = node.clientPerSecond() <= limit && node.connections() <= 2.01;
        report.row(id, what, fmt(node.serverPerSecond()), fmt(node.clientPerSecond()), fmt(node.connections()),
                pct(node.activeShare()), pct(node.xminShare()), node.states(), target, met ? "yes" : "**no**");
    }

    // ---- call overhead ----

    private void calls(PostgresServer server, Path logDir) throws Exception {
        Map<String, CallOverhead.Score> scores = CallOverhead.run(server, quick, logDir.resolve("jmh.txt"));
        CallOverhead.Score plain = scores.get("plainApplicationScoped");
        CallOverhead.Score singleton = scores.get("clusterSingletonOnLeader");
        CallOverhead.Score isLeader = scores.get("isLeader");
        CallOverhead.Score leaderOnly = scores.get("leaderOnlyOnLeader");
        CallOverhead.Score skipped = scores.get("leaderOnlySkippedOnStandby");
        CallOverhead.Score noOp = scores.get("interceptedByANoOp");
        report.section("Call overhead (JMH 1.37, " + (quick ? "1 fork, 1×1 s warm-up, 2×1 s" : "1 fork, 3×1 s warm-up, 5×1 s")
                + " measurement; ns per call)", "benchmark", "ns/op", "± (99.9%)", "bytes allocated/op", "ratio", "target", "met?");
        report.row("J1", "plain @ApplicationScoped bean, trivial method", fmt(plain.nanos()), fmt(plain.error()),
                fmt(plain.bytesPerCall()), "1.0×", "—", "—");
        double ratio = singleton.nanos() / plain.nanos();
        report.row("J2", "same bean as @ClusterSingleton, on the leader", fmt(singleton.nanos()), fmt(singleton.error()),
                fmt(singleton.bytesPerCall()), String.format(Locale.ROOT, "%.1f×", ratio), "≤ 1.5×",
                ratio <= 1.5 ? "yes" : "**no** (+" + fmt(singleton.nanos() - plain.nanos()) + " ns per call)");
        report.row("J3", "LeaderElector.isLeader(name)", fmt(isLeader.nanos()), fmt(isLeader.error()),
                fmt(isLeader.bytesPerCall()), "—", "cheap (no round trip)", isLeader.nanos() < 1_000 ? "yes" : "**no**");
        double added = leaderOnly.nanos() - plain.nanos();
        report.row("J4", "@LeaderOnly method of a plain bean, on the leader", fmt(leaderOnly.nanos()),
                fmt(leaderOnly.error()), fmt(leaderOnly.bytesPerCall()),
                String.format(Locale.ROOT, "%.1f×", leaderOnly.nanos() / plain.nanos()), "≤ J1 + 100 ns",
                added <= 100 ? "yes (+" + fmt(added) + " ns)" : "**no** (+" + fmt(added) + " ns per call)");
        report.row("J5", "@LeaderOnly void method, skipped on a standby", fmt(skipped.nanos()), fmt(skipped.error()),
                fmt(skipped.bytesPerCall()), String.format(Locale.ROOT, "%.1f×", skipped.nanos() / plain.nanos()),
                "—", "—");
        report.row("J6", "the J1 method behind an interceptor that only proceeds (Weld's own share of J4)",
                fmt(noOp.nanos()), fmt(noOp.error()), fmt(noOp.bytesPerCall()),
                String.format(Locale.ROOT, "%.1f×", noOp.nanos() / plain.nanos()), "—",
                "J4 − J6 = " + fmt(leaderOnly.nanos() - noOp.nanos()) + " ns: @LeaderOnly's own check");
    }

    // ---- fenced transactions ----

    private void fence(PostgresServer server) throws Exception {
        int warmUp = n(5_000, 500);
        int measured = n(10_000, 1_000); // the full run's ≥ 10,000 of each kind (issue 23)
        FenceCost.Result result = FenceCost.run(server, warmUp, measured);
        report.section("Fenced transactions: one warm connection, plain and fenced alternately in the same window ("
                        + measured + " of each after " + warmUp + " of each as warm-up; µs per transaction)",
                "transaction", "n", "median", "p95", "p99", "max", "statements / transaction",
                "round trips / transaction");
        report.row("T1", "plain: INSERT + commit", result.plain().count(), micros(result.plain(), 50),
                micros(result.plain(), 95), micros(result.plain(), 99), micros(result.plain(), 100),
                fmt(result.plainStatements()), fmt(result.plainRoundTrips()));
        report.row("T2", "fenced: Leadership.fence(connection) + INSERT + commit", result.fenced().count(),
                micros(result.fenced(), 50), micros(result.fenced(), 95), micros(result.fenced(), 99),
                micros(result.fenced(), 100), fmt(result.fencedStatements()), fmt(result.fencedRoundTrips()));
        report.row("T3", "the fence's cost: T2 − T1 (each percentile's difference)", "—",
                microsDifference(result.fenced(), result.plain(), 50),
                microsDifference(result.fenced(), result.plain(), 95),
                microsDifference(result.fenced(), result.plain(), 99), "—",
                fmt(result.fencedStatements() - result.plainStatements()),
                fmt(result.fencedRoundTrips() - result.plainRoundTrips()));
        report.line("");
        report.line("JDBC calls of the first measured fenced transaction, from the connection's trace: "
                + result.fencedCalls() + ". Statements are the execute calls; round trips are the execute, commit"
                + " and rollback calls (pgjdbc sends BEGIN with the first statement). @LeaderOnly's own cost per call,"
                + " its registration with the term's work included, is J4 − J1 of the calls part.");
    }

    private static String micros(Latency latency, double percentile) {
        return fmt(latency.percentileMillis(percentile) * 1000);
    }

    private static String microsDifference(Latency ours, Latency floor, double percentile) {
        double difference = (ours.percentileMillis(percentile) - floor.percentileMillis(percentile)) * 1000;
        return (difference >= 0 ? "+" : "") + fmt(difference);
    }

    // ---- helpers ----

    private static String fmt(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // only a temporary copy
        }
    }

    private static String load() {
        try {
            String[] part = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return part[0] + " " + part[1] + " " + part[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        try {
            long kb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
            return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static Map<String, String> props(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
