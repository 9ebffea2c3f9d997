package io.highlander.benchmarks;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The benchmark part {@code large} (issue 22): rows L1–L7, {@code nodes} nodes × {@code singletons} singletons, several
 * nodes per JVM, balanced placement, on a PostgreSQL of its own ({@link LargeScale}). Full run: 100 nodes (10 JVMs ×
 * 10 containers) × 1,000 singletons, fewer singletons where the machine cannot hold the threads (the header says
 * so); {@code -Dbench.large.nodes}, {@code .perJvm}, {@code .singletons} change the size. Quick run: 4 nodes (2 × 2)
 * × 12 singletons.
 */
final class LargeScaleRows {

    private final Report report;
    private final boolean quick;
    private final Path logDir;

    LargeScaleRows(Report report, boolean quick, Path logDir) {
        this.report = report;
        this.quick = quick;
        this.logDir = logDir;
    }

    void run() throws Exception {
        LargeScale.Size size = LargeScale.fit(Integer.getInteger("bench.large.nodes", quick ? 4 : 100),
                Integer.getInteger("bench.large.perJvm", quick ? 2 : 10),
                Integer.getInteger("bench.large.singletons", quick ? 12 : 1_000));
        LargeScale.Result r = new LargeScale(logDir).run(size, quick ? 500 : 3_000, quick ? 2_000 : 30_000);
        report.section(String.format(Locale.ROOT, "Large scale: %d nodes (%d JVMs × %d Weld SE containers, each its own"
                        + " node) × %d singletons, own PostgreSQL with max_connections = %d, highlander.placement=balanced",
                size.nodes(), size.jvms(), size.perJvm(), size.singletons(), size.maxConnections()),
                "measurement", "result", "target", "met?");
        report.line("");
        report.line(String.format(Locale.ROOT, "Threads: %d nodes need about %d (%d per node whatever its singletons:"
                        + " they share the node's lifecycle pool), and this machine has room for %d (pid_max minus the"
                        + " threads running, minus a reserve).", size.nodes(), size.threadsNeeded(),
                LargeScale.THREADS_PER_NODE, size.threadsFree()));
        report.line("");
        LargeScale.Start s = r.start();
        double share = size.singletons() / (double) size.nodes();
        boolean allLed = !Double.isNaN(s.lastReadyToAllLed());
        boolean balanced = s.leastLed() >= Math.floor(share) && s.mostLed() <= Math.ceil(share);
        report.row("L1", "cold start: every singleton led after the last node was ready; leads per node; connections",
                String.format(Locale.ROOT, "%s (launch of %d JVMs at once → last node ready %s ms%s); leads per node"
                                + " %d / %s / %d (least / median / most; %d of %d nodes lead any), placement settled %s the"
                                + " last node was ready; %d server connections, at most %d for one node; %d refused",
                        allLed ? "every singleton led " + relative(s.lastReadyToAllLed())
                                : "**not every singleton led** within 180 s (" + s.led() + " of " + size.singletons() + ")",
                        size.jvms(), Latency.ms(s.launchToLastReady()),
                        s.notReady() > 0 ? ", **" + s.notReady() + " nodes never ready**" : "",
                        s.leastLed(), Latency.ms(s.medianLed()), s.mostLed(), s.nodesLeading(), size.nodes(),
                        relative(s.settled()), s.connections(), s.mostConnections(), s.refusals()),
                "all led ≤ 2000 ms after the last node is ready; ⌊S/N⌋–⌈S/N⌉ per node; ≤ 2 connections per node",
                "led: " + yes(allLed && s.lastReadyToAllLed() <= 2_000) + ", spread: " + yes(balanced)
                        + ", connections: " + yes(s.mostConnections() <= 2 && s.refusals() == 0 && s.notReady() == 0));
        change("L2", "a node joins (a JVM with one container): singletons moved, placement settled (from its READY),"
                + " statements per node in the window", r.join(), size, size.nodes() + 1);
        change("L3", "a node leaves (its container shut down, graceful): singletons moved, every one of its singletons"
                + " led elsewhere, placement settled (from the stop)", r.leave(), size, size.nodes());
        LargeScale.Kill k = r.kill();
        report.row("L4", "SIGKILL of one JVM, " + k.nodes().size() + " nodes at once (" + String.join(", ", k.nodes()) + ")",
                k.orphans() == 0 ? "the killed nodes led nothing"
                        : String.format(Locale.ROOT, "%d singletons orphaned; %s re-led %s ms after the kill (median %s"
                                + " ms); leads per node afterwards %d–%d", k.orphans(),
                        k.reLed() == k.orphans() ? "all" : "**only " + k.reLed() + "**", k.latency().max(),
                        k.latency().median(), k.leastAfter(), k.mostAfter()),
                "every orphan re-led ≤ 1000 ms",
                yes(k.orphans() > 0 && k.reLed() == k.orphans() && k.latency().maxMillis() <= 1_000));
        LargeScale.Steady st = r.steady();
        report.row("L5", String.format(Locale.ROOT, "steady state, %.0f s: statements/s the server completed"
                        + " (pg_stat_statements), all nodes / per node", st.seconds()),
                String.format(Locale.ROOT, "%.1f / median %.2f, most %.2f", st.statementsPerSecond(), st.perNodeMedian(),
                        st.perNodeMost()),
                "≤ 0.5 per node (N4: a leader's heartbeat)", yes(st.perNodeMost() <= 0.5));
        report.row("L6", "steady state: server-log ERROR lines per minute, all nodes / per node",
                String.format(Locale.ROOT, "%.1f / %.2f%s", st.errorsPerMinute(), st.errorsPerNodePerMinute(),
                        st.commonestError().isEmpty() ? "" : " (commonest: \"" + st.commonestError() + "\")"),
                "≤ 1 per minute per node (N6)", yes(st.errorsPerNodePerMinute() <= 1));
        report.row("L7", "steady state: node sessions holding a snapshot (backend_xmin set), share of samples;"
                        + " longest hold seen",
                String.format(Locale.ROOT, "%.0f%% of %d sessions; %s ms", st.xminShare() * 100, st.sessions(),
                        Latency.ms(st.longestHoldMillis())),
                "stated with the VACUUM trade-off (README, N7)", "—");
        report.line("");
        report.line("L1–L7: which node runs a singleton from the probes' UP/GONE lines, which name the node; statements"
                + " from pg_stat_statements per node role (completed statements only: a watcher's wait that ends in"
                + " lock_timeout is not counted, it is an ERROR line in L6); snapshot holds sampled from pg_stat_activity"
                + " every 200 ms (a hold still running at the end counts up to then). L2/L3's statements per node are"
                + " over the whole window, from the change to placement settled; \"steady\" is what L5's median node"
                + " sends in as long.");
    }

    private void change(String id, String what, LargeScale.Change c, LargeScale.Size size, int nodesAfter) {
        double share = size.singletons() / (double) nodesAfter;
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%s: %d of %d singletons moved (%.3f per"
                        + " singleton); placement settled %s; statements per node in the %.1f s window: median %.0f, most"
                        + " %.0f (steady: %.1f)", c.node(), c.moved(), c.singletons(), c.moved() / (double) c.singletons(),
                relative(c.settleMillis()) + (c.orphans() > 0 ? " the stop" : " its READY (its own takeovers come before it)"),
                c.seconds(), c.statementsPerNodeMedian(), c.statementsPerNodeMost(),
                c.steadyShare()));
        if (c.orphans() > 0) {
            text.append(String.format(Locale.ROOT, "; its %d singletons led elsewhere %s ms after the stop (median %s)%s",
                    c.orphans(), c.reLed().max(), c.reLed().median(),
                    c.reLed().count() < c.orphans() ? ", **" + (c.orphans() - c.reLed().count()) + " not re-led**" : ""));
        }
        if (c.orphans() > 0) { // a node left: only its own singletons should move
            report.row(id, what, text, "only its own singletons move; all led elsewhere ≤ 1000 ms",
                    yes(c.moved() <= c.orphans() && c.reLed().count() == c.orphans() && c.reLed().maxMillis() <= 1_000));
        } else { // a node joined: it takes its share, nothing else moves
            report.row(id, what, text, "moves ≤ the joiner's share (⌈" + Latency.ms(share) + "⌉)",
                    yes(c.moved() <= Math.ceil(share)));
        }
    }

    private static String relative(double millis) {
        return Latency.ms(Math.abs(millis)) + " ms " + (millis < 0 ? "before" : "after");
    }

    private static String yes(boolean met) {
        return met ? "yes" : "**no**";
    }
}
