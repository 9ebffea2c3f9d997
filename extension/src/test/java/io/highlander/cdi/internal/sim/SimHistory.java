package io.highlander.cdi.internal.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened in one run, as the invariants need it, stamped with virtual time: when each node's instance of a
 * singleton ran (from the start of its {@code @PostConstruct} to the end of its {@code @PreDestroy}, or the node's
 * death), with which fencing token; when a node could act (alive and not frozen); every fault; and which sessions
 * the server ended on its own (the fast mode's stated allowance starts there). Also a log of lines for a failing
 * run's report.
 */
public final class SimHistory {

    /** One instance of a singleton on a node: [start, end), end = Long.MAX_VALUE while it runs. */
    public static final class Instance {
        final String singleton;
        final String node;
        final long token;
        final long start;
        long end = Long.MAX_VALUE;
        long stopping = Long.MAX_VALUE;

        Instance(String singleton, String node, long token, long start) {
            this.singleton = singleton;
            this.node = node;
            this.token = token;
            this.start = start;
        }

        @Override
        public String toString() {
            return singleton + "@" + node + " token " + token + " [" + ms(start) + ", "
                    + (end == Long.MAX_VALUE ? "…" : ms(end)) + ")";
        }
    }

    private final VirtualScheduler scheduler;
    private final List<Instance> instances = new ArrayList<>();
    private final Map<String, Instance> running = new LinkedHashMap<>();
    private final List<Long> faults = new ArrayList<>();
    private final Map<String, TreeMap<Long, Boolean>> able = new LinkedHashMap<>();
    private final Map<String, List<Long>> serverEnded = new LinkedHashMap<>();
    private final Map<String, TreeMap<Long, Boolean>> cut = new LinkedHashMap<>();
    private final List<String> log = new ArrayList<>();

    /** @param scheduler for the time stamps */
    public SimHistory(VirtualScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** A node's instance of {@code singleton} starts (its {@code @PostConstruct} begins). */
    public void started(String singleton, String node, long token) {
        String id = singleton + "@" + node;
        if (running.containsKey(id)) {
            throw new IllegalStateException(id + " started twice without a stop: " + running.get(id));
        }
        Instance instance = new Instance(singleton, node, token, scheduler.now());
        instances.add(instance);
        running.put(id, instance);
        note("start " + instance);
    }

    /** The node's instance of {@code singleton} begins to stop (its {@code @PreDestroy} begins). */
    public void stopping(String singleton, String node) {
        Instance instance = running.get(singleton + "@" + node);
        if (instance != null && instance.stopping == Long.MAX_VALUE) {
            instance.stopping = scheduler.now();
        }
    }

    /** The node's instance of {@code singleton} stopped (its {@code @PreDestroy} returned, or the node died). */
    public void stopped(String singleton, String node) {
        Instance instance = running.remove(singleton + "@" + node);
        if (instance != null) {
            instance.end = scheduler.now();
            note("stop  " + instance);
        }
    }

    /** The node died: every instance on it stops now. */
    public void died(String node) {
        for (Instance instance : new ArrayList<>(running.values())) {
            if (instance.node.equals(node)) {
                stopped(instance.singleton, node);
            }
        }
    }

    /** A node can act (true) or cannot (false: frozen, dead, cut off from the server). */
    public void able(String node, boolean canAct) {
        able.computeIfAbsent(node, n -> new TreeMap<>()).put(scheduler.now(), canAct);
    }

    /** A node's connections are cut off from the server (true) or reachable again (false). */
    public void cut(String node, boolean isCut) {
        cut.computeIfAbsent(node, n -> new TreeMap<>()).put(scheduler.now(), isCut);
    }

    /** @return whether the node's connections were cut off at {@code time} */
    boolean wasCut(String node, long time) {
        Map.Entry<Long, Boolean> state = cut.getOrDefault(node, new TreeMap<>()).floorEntry(time);
        return state != null && state.getValue();
    }

    /** A fault begins or ends (the liveness bound counts from the last one). */
    public void fault(String what) {
        faults.add(scheduler.now());
        note("fault " + what);
    }

    /** The server ended a node's session on its own (terminate, restart, crash): fast mode's allowance starts here. */
    public void serverEndedSession(String node) {
        serverEnded.computeIfAbsent(node, n -> new ArrayList<>()).add(scheduler.now());
    }

    /** Adds a line to the run's log. */
    public void note(String line) {
        log.add(ms(scheduler.now()) + " " + line);
    }

    /** @return every instance, in start order */
    public List<Instance> instances() {
        return instances;
    }

    List<Long> faults() {
        return faults;
    }

    Map<String, TreeMap<Long, Boolean>> ableTimeline() {
        return able;
    }

    Map<String, List<Long>> serverEnded() {
        return serverEnded;
    }

    /** @return the last {@code lines} lines of the log */
    public List<String> tail(int lines) {
        return log.subList(Math.max(0, log.size() - lines), log.size());
    }

    /** @return nanoseconds as milliseconds, for reports */
    public static String ms(long nanos) {
        return String.format("%.3fms", nanos / 1e6);
    }
}
