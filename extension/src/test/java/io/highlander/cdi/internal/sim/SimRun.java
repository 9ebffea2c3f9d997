package io.highlander.cdi.internal.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One seeded run: builds the server, the cluster and the faults from the seed, runs virtual time to the end,
 * checks the invariants, and on a failure reports the seed, a one-line command that replays it, and the end of the
 * run's history.
 *
 * @param seed the seed
 * @param faults the fault kinds the run may contain
 * @param faultCount how many faults are planned
 * @param faultPhase faults happen in [0, faultPhase), ns
 * @param duration the run's length, ns (the part after faultPhase is quiet)
 * @param invariants what is checked
 * @param replay how to replay it, with {@code %d} for the seed
 */
public record SimRun(long seed, Set<FaultInjector.Fault> faults, int faultCount, long faultPhase, long duration,
        SimInvariants invariants, String replay) {

    /** Builds a run's nodes from the real code. */
    public interface ClusterFactory {
        /**
         * @return the cluster, its nodes started (or scheduled to start)
         */
        SimCluster build(VirtualScheduler scheduler, SimPostgres server, SimHistory history);

        /** @return the nodes' lease L, ns */
        long lease();

        /** Ends what the run still holds (threads of nodes still alive): called after every run. */
        void close();
    }

    /**
     * What a run found.
     *
     * @param seed its seed
     * @param broken the broken promises, empty if none
     * @param report the seed, the replay command, the plan and the history's end, for a failure
     * @param actions how many scheduler actions ran
     */
    public record Outcome(long seed, List<String> broken, String report, long actions) {
        /** @return whether every promise held */
        public boolean passed() {
            return broken.isEmpty();
        }
    }

    private static String trace(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t == e ? "" : "\n    caused by ").append(t);
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(12, frames.length); i++) {
                out.append("\n      at ").append(frames[i]);
            }
        }
        return out.toString();
    }

    /** Runs it. */
    public Outcome run(ClusterFactory factory) {
        VirtualScheduler scheduler = new VirtualScheduler(seed);
        SimPostgres server = new SimPostgres(scheduler);
        SimHistory history = new SimHistory(scheduler);
        List<String> broken = new ArrayList<>();
        List<String> plan = List.of();
        try {
            SimCluster cluster = factory.build(scheduler, server, history);
            FaultInjector injector = new FaultInjector(scheduler, server, cluster, history, factory.lease());
            plan = injector.plan(faults, faultCount, factory.lease() / 2, faultPhase);
            scheduler.runUntil(duration);
            broken.addAll(invariants.check(history, duration));
        } catch (RuntimeException | AssertionError e) {
            broken.add("the run failed: " + trace(e));
        } finally {
            factory.close();
        }
        String report = broken.isEmpty() ? "" : "simulation seed " + seed + " failed:\n  " + String.join("\n  ", broken)
                + "\nreplay: " + String.format(replay, seed)
                + "\nfaults planned: " + plan
                + "\nlast events:\n  " + String.join("\n  ", history.tail(Integer.getInteger("sim.tail", 60)));
        return new Outcome(seed, broken, report, scheduler.actionsRun());
    }
}
