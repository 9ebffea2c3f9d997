package io.highlander.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark part {@code sessions} (issue 11): rows N1–N7, what nodes cost the server with S = 1, 10, 50
 * singletons each (connections, statements, server-log ERROR lines, snapshots held), and rows O1–O2, the
 * overlap after the server ends the leader's session ({@code pg_terminate_backend}, fast restart). All on an
 * embedded PostgreSQL of its own, whose log holds only these nodes' lines.
 */
final class SessionRows {

    private final Report report;
    private final boolean quick;
    private final Path logDir;

    SessionRows(Report report, boolean quick, Path logDir) {
        this.report = report;
        this.quick = quick;
        this.logDir = logDir;
    }

    void run() throws Exception {
        int nodes = quick ? 2 : 3;
        int[] counts = quick ? new int[] {1, 3, 5} : new int[] {1, 10, 50};
        long[] windows = quick ? new long[] {1_500, 1_500, 1_500} : new long[] {60_000, 60_000, 30_000};
        long steady = quick ? 1_000 : 2_000;
        int trials = quick ? 1 : 30;
        int restarts = quick ? 1 : 30;
        Path pgLog = Files.createDirectories(logDir.resolve("sessions-pglog"));
        List<NodeSessions.Measured> measured = new ArrayList<>();
        SessionEnd.Trials[] ends = new SessionEnd.Trials[2];
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>(ServerLog.settings(pgLog));
        settings.put("max_connections", "400"); // as the main server: today 3 nodes × 50 singletons take 150
        try (PostgresServer server = PostgresServer.embedded(settings)) {
            NodeSessions sessions = new NodeSessions(server, ServerLog.open(server, pgLog), logDir);
            for (int i = 0; i < counts.length; i++) {
                // the one-singleton cluster then serves the overlap trials: 3 nodes, s00 only
                NodeSessions.Then overlap = i > 0 ? null : (cluster, database) -> {
                    SessionEnd end = new SessionEnd(server, 300, 2_000); // 2 s: the default heartbeat
                    ends[0] = end.run(cluster, SessionEnd.Fault.TERMINATE, trials);
                    ends[1] = end.run(cluster, SessionEnd.Fault.FAST_RESTART, restarts);
                };
                measured.add(sessions.measure(nodes, counts[i], windows[i], steady, overlap));
            }
        }
        connections(nodes, measured);
        overlaps(ends[0], ends[1]);
    }

    private void connections(int nodes, List<NodeSessions.Measured> measured) {
        NodeSessions.Measured middle = measured.get(1);
        report.section("Node sessions: " + nodes + " node processes with S singletons each, nothing failing ("
                + seconds(measured) + " s windows; own embedded PostgreSQL)", "measurement", "result", "target", "met?");
        String[] ids = {"N1", "N2", "N3"};
        for (int i = 0; i < measured.size(); i++) {
            NodeSessions.Measured m = measured.get(i);
            StringBuilder perNode = new StringBuilder();
            int most = 0;
            for (DatabaseCost.NodeCost node : m.window().nodes()) {
                most = Math.max(most, node.maxConnections());
                perNode.append(perNode.length() == 0 ? "" : "; ").append(shortId(node)).append(" (leads ")
                        .append(node.singletonsLed()).append("): ").append(fmt(node.connections())).append(" mean, ")
                        .append(node.maxConnections()).append(" most [").append(node.connectionsByName()).append("]");
            }
            report.row(ids[i], "connections per node (pg_stat_activity, every backend of the node's role), S = "
                            + m.singletons() + (m.steady() ? "" : " (connections never steady)"), perNode,
                    "≤ 2 per node", most <= 2 ? "yes" : "**no**");
        }
        DatabaseCost.NodeCost leader = middle.window().nodes().stream()
                .max(Comparator.comparingInt(DatabaseCost.NodeCost::singletonsLed)).orElseThrow();
        List<DatabaseCost.NodeCost> standbys = standbys(middle);
        report.row("N4", "statements/s of the leader node, S = " + middle.singletons() + " (it leads "
                        + leader.singletonsLed() + "): completed (pg_stat_statements) / sent (JDBC trace)",
                fmt(leader.serverPerSecond()) + " / " + fmt(leader.clientPerSecond()), "≤ 0.5",
                leader.serverPerSecond() <= 0.5 && leader.clientPerSecond() <= 0.5 ? "yes" : "**no**");
        report.row("N5", "statements/s of each standby node, S = " + middle.singletons()
                        + ": completed (pg_stat_statements) / sent (JDBC trace, errors included)",
                join(standbys, node -> shortId(node) + " (leads " + node.singletonsLed() + "): "
                        + fmt(node.serverPerSecond()) + " / " + fmt(node.clientPerSecond())),
                "≈ 0 completed (≤ 0.25)", standbys.stream().allMatch(node -> node.serverPerSecond() <= 0.25) ? "yes" : "**no**");
        StringBuilder noise = new StringBuilder();
        boolean quiet = true;
        String commonest = "";
        for (NodeSessions.Measured m : measured) {
            List<DatabaseCost.NodeCost> idle = standbys(m);
            noise.append(noise.length() == 0 ? "" : "; ").append("S = ").append(m.singletons()).append(": ")
                    .append(join(idle, node -> shortId(node) + " " + fmt(m.errorsPerMinute(node))));
            for (DatabaseCost.NodeCost node : idle) {
                quiet &= m.errorsPerMinute(node) <= 1.0;
                if (commonest.isEmpty()) {
                    commonest = m.commonest(node);
                }
            }
        }
        report.row("N6", "server-log ERROR lines per minute of each standby node", noise
                        + (commonest.isEmpty() ? "" : " (commonest: \"" + commonest + "\")"),
                "≤ 1 per minute per standby node", quiet ? "yes" : "**no**");
        report.row("N7", "snapshot held (backend_xmin) by each node's sessions, S = " + middle.singletons()
                        + ": share of samples; per statement, how long it held one (median / max, ms)",
                join(middle.window().nodes(), node -> shortId(node) + " (leads " + node.singletonsLed() + "): "
                        + pct(node.xminShare()) + ", " + (node.snapshotHolds().count() == 0 ? "none"
                        : node.snapshotHolds().median() + " / " + node.snapshotHolds().max())),
                "stated with the VACUUM trade-off (README)", "—");
        report.line("");
        report.line("N1–N7: every backend of a node's role (each node slot logs in as its own role) sampled from"
                + " pg_stat_activity every 100 ms; [name ≤ k]: the most sessions of that application_name seen at once."
                + " ERROR lines from the server log (log_line_prefix carries the role). A snapshot hold runs from the"
                + " statement's xact_start to the last sample that still showed its backend_xmin (a hold longer than"
                + " the window counts up to the window's end).");
    }

    private void overlaps(SessionEnd.Trials terminated, SessionEnd.Trials restarted) {
        report.section("Overlap after the server ends the leader's session: new leader's @PostConstruct → old"
                        + " instance's @PreDestroy end (ms; one singleton, same nodes as N1)", "measurement", "n", "median",
                "p95", "p99", "max", "min", "fault → new @PostConstruct (median / p99)", "target", "met?");
        overlapRow("O1", "pg_terminate_backend of every session holding the leader's advisory locks", terminated);
        overlapRow("O2", "PostgreSQL fast restart (SIGINT to the postmaster, started again at once; new leader timed"
                + " from the new postmaster's launch)", restarted);
        report.line("");
        report.line("Negative overlaps (the old instance was gone before the new one began) count as 0 in the"
                + " percentiles; min shows the smallest. O1: " + notes(terminated) + " O2: " + notes(restarted));
    }

    private void overlapRow(String id, String what, SessionEnd.Trials trials) {
        Latency overlap = trials.overlap;
        boolean met = overlap.count() > 0 && trials.failed.isEmpty() && overlap.percentileMillis(99) <= 50;
        report.row(id, what, overlap.count(), overlap.median(), overlap.p95(), overlap.p99(), overlap.max(),
                overlap.count() == 0 ? "n/a" : Latency.ms(trials.minOverlapMicros / 1000.0),
                trials.newLeader.median() + " / " + trials.newLeader.p99(), "p99 ≤ 50", met ? "yes" : "**no**");
    }

    private static String notes(SessionEnd.Trials trials) {
        return "the old instance was gone " + trials.oldGone.median() + " ms (median; p99 " + trials.oldGone.p99()
                + ") after the fault; the new leader was the old leader's node in " + trials.sameNode + " trials"
                + (trials.failed.isEmpty() ? "." : "; incomplete: " + String.join("; ", trials.failed) + ".");
    }

    /** @return the nodes that lead nothing, or, if every node leads some, the one that leads the fewest */
    private static List<DatabaseCost.NodeCost> standbys(NodeSessions.Measured measured) {
        List<DatabaseCost.NodeCost> idle = measured.window().nodes().stream().filter(node -> node.singletonsLed() == 0)
                .toList();
        return !idle.isEmpty() ? idle : List.of(measured.window().nodes().stream()
                .min(Comparator.comparingInt(DatabaseCost.NodeCost::singletonsLed)).orElseThrow());
    }

    private static String shortId(DatabaseCost.NodeCost node) {
        return node.node().replaceAll("^.*-(n\\d+)-\\d+$", "$1");
    }

    private static String join(List<DatabaseCost.NodeCost> nodes, java.util.function.Function<DatabaseCost.NodeCost, String> text) {
        return String.join(", ", nodes.stream().map(text).toList());
    }

    private static String seconds(List<NodeSessions.Measured> measured) {
        return String.join("/", measured.stream().map(m -> String.valueOf(Math.round(m.window().seconds()))).toList());
    }

    static String fmt(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }
}
