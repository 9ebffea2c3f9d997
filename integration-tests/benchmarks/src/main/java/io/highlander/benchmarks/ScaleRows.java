package io.highlander.benchmarks;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The benchmark part {@code scale} (issue 11): rows S1–S2, 20 node processes × 50 singletons on a PostgreSQL
 * of their own with {@code max_connections = 100} ({@link Scale}); the quick run uses 3 × 4 and kills one.
 */
final class ScaleRows {

    private final Report report;
    private final boolean quick;
    private final Path logDir;

    ScaleRows(Report report, boolean quick, Path logDir) {
        this.report = report;
        this.quick = quick;
        this.logDir = logDir;
    }

    void run() throws Exception {
        int nodes = quick ? 3 : 20;
        int singletons = quick ? 4 : 50;
        int kill = quick ? 1 : 5;
        // the spread target is balanced placement's; -Dbench.scale.placement=first-come shows the default's
        String placement = System.getProperty("bench.scale.placement", "balanced");
        Scale.Result r = new Scale(logDir).run(nodes, singletons, 100, kill, quick ? 500 : 2_000, placement);
        report.section("Scale: " + nodes + " node processes (one JVM and Weld SE container each) × " + singletons
                + " singletons, own PostgreSQL with max_connections = " + r.maxConnections() + ", highlander.placement="
                + placement, "measurement", "result", "target", "met?");
        StringBuilder start = new StringBuilder();
        if (r.exhausted()) {
            start.append(String.format(Locale.ROOT, "**connections exhausted**: %d of %d nodes could not connect at all"
                            + " (%d held no connection once placement settled, %d never became ready); %d of %d were refused"
                            + " connections, %d refusals in the server log; ",
                    Math.max(r.nodesWithoutConnection(), r.notReady()), r.nodes(), r.nodesWithoutConnection(),
                    r.notReady(), r.nodesRefused(), r.nodes(), r.refusals()));
        }
        boolean allLed = !Double.isNaN(r.lastReadyToAllLedMillis());
        start.append(allLed
                ? "every singleton led " + relative(r.lastReadyToAllLedMillis()) + " the last node was ready"
                : String.format(Locale.ROOT, "**not every singleton led** within 60 s of the last node ready (%d of %d)",
                r.led(), r.singletons()));
        start.append(String.format(Locale.ROOT, " (launch of all %d JVMs at once → last ready %s ms); leads per node %s"
                        + " (%d of %d nodes lead any; the last UP or GONE %s the last node was ready);"
                        + " %d server connections, at most %d for one node",
                r.nodes(), Latency.ms(r.launchToLastReadyMillis()), r.spread().values(),
                r.spread().values().stream().filter(n -> n > 0).count(), r.spread().size(),
                relative(r.spreadSettledMillis()), r.serverConnections(), r.mostConnectionsOfANode()));
        boolean fast = allLed && r.lastReadyToAllLedMillis() <= 2_000;
        boolean balanced = r.spread().values().stream().allMatch(n -> n >= 2 && n <= 3);
        boolean connections = !r.exhausted() && r.mostConnectionsOfANode() <= 2;
        report.row("S1", "start: every singleton led after the last node started; leads per node; connections", start,
                "all led ≤ 2000 ms after the last start; 2–3 per node (balanced placement); ≤ 2 connections per node",
                "led: " + yes(fast) + ", spread: " + yes(balanced) + ", connections: " + yes(connections));
        String after = r.orphans() == 0 ? "the killed nodes led nothing"
                : (r.reLed() == r.orphans()
                        ? String.format(Locale.ROOT, "%d singletons orphaned; all re-led %s ms after the kill (median %s ms)",
                                r.orphans(), r.reLedAfterKill().max(), r.reLedAfterKill().median())
                        : String.format(Locale.ROOT, "%d singletons orphaned; **%d not re-led within 60 s**; the others"
                                + " %s ms (max; median %s ms)", r.orphans(), r.orphans() - r.reLed(),
                        r.reLedAfterKill().max(), r.reLedAfterKill().median()));
        report.row("S2", "SIGKILL of the " + kill + " nodes leading the most, at once (" + String.join(", ", r.killed()) + ")",
                after + "; leads per node afterwards " + r.spreadAfter().values(), "every orphan re-led ≤ 1000 ms",
                yes(r.orphans() > 0 && r.reLed() == r.orphans() && r.reLedAfterKill().maxMillis() <= 1_000));
        report.line("");
        report.line("S1–S2: connections counted per node role in pg_stat_activity once placement settled; refusals are the"
                + " server log's \"too many clients already\" / \"remaining connection slots are reserved\" lines; times"
                + " from the nodes' READY and the probes' UP/GONE lines.");
    }

    /** @return "12.3 ms after" or "4.5 ms before" */
    private static String relative(double millis) {
        return Latency.ms(Math.abs(millis)) + " ms " + (millis < 0 ? "before" : "after");
    }

    private static String yes(boolean met) {
        return met ? "yes" : "**no**";
    }
}
