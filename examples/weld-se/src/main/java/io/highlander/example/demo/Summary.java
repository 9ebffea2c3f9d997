package io.highlander.example.demo;

import io.highlander.example.demo.NodeEvent.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the run showed, computed only from what the nodes printed. An instance (one leadership term,
 * named by its fencing token) counts as running from its first tick to its last, as stamped by the node
 * itself; "at once" is the most such intervals that cover one instant.
 *
 * @param failovers     the faults and their outcome
 * @param instances     every instance that ticked, in order of its first tick
 * @param maxAtOnce     the most instances running at one instant
 * @param refusedTicks  ticks a node refused because its lease had run out (the frozen node, on waking)
 */
record Summary(List<Failover> failovers, List<Instance> instances, int maxAtOnce, long refusedTicks) {

    /** One leadership term's work, as seen in its ticks. */
    record Instance(String node, long token, long firstTick, long lastTick, int ticks) {
    }

    static Summary of(List<Failover> failovers, List<NodeEvent> events) {
        Map<Long, List<NodeEvent>> ticksByToken = events.stream().filter(event -> event.kind() == Kind.TICK)
                .collect(Collectors.groupingBy(NodeEvent::token, LinkedHashMap::new, Collectors.toList()));
        List<Instance> instances = new ArrayList<>();
        ticksByToken.forEach((token, ticks) -> {
            long first = ticks.stream().mapToLong(NodeEvent::micros).min().orElseThrow();
            long last = ticks.stream().mapToLong(NodeEvent::micros).max().orElseThrow();
            instances.add(new Instance(ticks.get(0).node(), token, first, last, ticks.size()));
        });
        instances.sort(Comparator.comparingLong(Instance::firstTick));
        long refused = events.stream().filter(event -> event.kind() == Kind.REFUSED).count();
        return new Summary(List.copyOf(failovers), List.copyOf(instances), maxAtOnce(instances), refused);
    }

    /** Sweeps the intervals; one that starts at the instant another ends counts as overlapping. */
    static int maxAtOnce(List<Instance> instances) {
        List<long[]> edges = new ArrayList<>();
        for (Instance instance : instances) {
            edges.add(new long[] {instance.firstTick(), +1});
            edges.add(new long[] {instance.lastTick(), -1});
        }
        edges.sort(Comparator.<long[]>comparingLong(edge -> edge[0]).thenComparing(edge -> -edge[1]));
        int running = 0;
        int max = 0;
        for (long[] edge : edges) {
            running += (int) edge[1];
            max = Math.max(max, running);
        }
        return max;
    }

    boolean tokensIncrease() {
        for (int i = 1; i < instances.size(); i++) {
            if (instances.get(i).token() <= instances.get(i - 1).token()) {
                return false;
            }
        }
        return true;
    }

    long failoversHappened() {
        return failovers.stream().filter(Failover::happened).count();
    }

    /** @return the verdict: every failover happened, never two instances at once, tokens in order */
    boolean passed() {
        return failoversHappened() == failovers.size() && maxAtOnce <= 1 && tokensIncrease();
    }

    /** @return the table, in picocli's colour markup */
    List<String> table() {
        List<String> lines = new ArrayList<>();
        lines.add(Terminal.bold(String.format(Locale.ROOT, "  %-2s %-25s %-8s %-9s %-11s %-12s %s",
                "#", "fault", "leader", "lock", "instance", "token", "expected")));
        int number = 0;
        for (Failover failover : failovers) {
            number++;
            String leader = failover.from() + " -> " + (failover.happened() ? failover.to() : "?");
            String lock = failover.lockDelay() >= 0 ? Terminal.duration(failover.lockDelay()) : "-";
            String time = failover.happened() ? Terminal.duration(failover.startDelay()) : "none";
            String tokens = failover.oldToken() + " -> " + (failover.happened() ? failover.newToken() : "?");
            lines.add(String.format(Locale.ROOT, "  %-2d %-25s %-8s %-9s %-11s %-12s %s", number,
                    failover.fault().label, leader, lock, time, tokens, Terminal.faint(failover.fault().expected(failover.alone()))));
        }
        lines.add(Terminal.faint("  lock: from the signal to the new leader's lock; instance: to its @PostConstruct"));
        lines.add("");
        lines.add("  failovers: " + failoversHappened() + " of " + failovers.size());
        lines.add("  fencing tokens: " + instances.stream().map(instance -> Long.toString(instance.token()))
                .collect(Collectors.joining(" < ")) + (tokensIncrease() ? " (strictly increasing)" : " " + Terminal.bad("NOT increasing")));
        String max = "max " + maxAtOnce;
        lines.add("  instances running at once: " + (maxAtOnce <= 1 ? Terminal.good(max) : Terminal.bad(max))
                + String.format(Locale.ROOT, " (%d instances, %d ticks; %d tick(s) refused after the freeze)",
                instances.size(), instances.stream().mapToInt(Instance::ticks).sum(), refusedTicks));
        return lines;
    }
}
