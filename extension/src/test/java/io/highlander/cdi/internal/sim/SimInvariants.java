package io.highlander.cdi.internal.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The promises every run is checked against, on its {@link SimHistory}:
 * <ol>
 *   <li><b>never two</b>: no two nodes run an instance of one singleton at once while both can act. Excused: a
 *       node's first {@code thawAllowance} after a freeze (a paused JVM is the fencing token's case, not the
 *       lock's); in fast mode only, the old holder's first {@code fastAllowance} after the server ended its session
 *       on its own (the node learns it from its socket), or its first {@code partitionedAllowance} if its
 *       connections were cut off then (it can learn only from its lease). Strict mode has no such excuse.</li>
 *   <li><b>tokens increase</b>: per singleton, each instance's fencing token is greater than the one before.
 *       Excused in fast mode only: an instance of an older term started within its node's {@code thawAllowance}
 *       after a freeze during which the server ended that node's session (the node cannot know before it reads its
 *       socket; the fencing token is what refuses its writes).</li>
 *   <li><b>led again</b>: a singleton is never unled for longer than {@code livenessBound} while some node could
 *       act, counted from the later of the gap's start and the last fault (any fault restarts the count).</li>
 * </ol>
 *
 * @param strict strict takeover (no fast-mode allowance)
 * @param fastAllowance the overlap fast mode may have after a server-side session end, ns
 * @param partitionedAllowance fast mode's overlap after a server-side end of a partitioned node's session, ns
 * @param thawAllowance how long a thawed node's instance is excused, ns
 * @param livenessBound the longest gap allowed, ns
 * @param stopAllowance how long an instance may take to stop (the stop margin m: a {@code @PreDestroy} that takes
 *        longer breaks the lease's assumption, so its instance counts as stopped m after its stop began)
 * @param singletons the singletons that must be led
 */
public record SimInvariants(boolean strict, long fastAllowance, long partitionedAllowance, long thawAllowance, long livenessBound,
        long stopAllowance, Set<String> singletons) {

    /** @return every broken promise of the run that ended at {@code end}, one line each */
    public List<String> check(SimHistory history, long end) {
        List<String> broken = new ArrayList<>();
        neverTwo(history, end, broken);
        tokensIncrease(history, broken);
        ledAgain(history, end, broken);
        return broken;
    }

    private void neverTwo(SimHistory history, long end, List<String> broken) {
        List<SimHistory.Instance> all = history.instances();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                SimHistory.Instance older = all.get(i);
                SimHistory.Instance newer = all.get(j);
                if (!older.singleton.equals(newer.singleton) || older.node.equals(newer.node)) {
                    continue;
                }
                long from = Math.max(older.start, newer.start);
                long to = Math.min(Math.min(ended(older), ended(newer)), end);
                if (from >= to) {
                    continue;
                }
                List<long[]> excused = new ArrayList<>();
                excused.addAll(unable(history, older.node, end));
                excused.addAll(unable(history, newer.node, end));
                excused.addAll(thaws(history, older.node));
                excused.addAll(thaws(history, newer.node));
                if (!strict) {
                    for (long at : history.serverEnded().getOrDefault(older.node, List.of())) {
                        long allowance = history.wasCut(older.node, at) ? partitionedAllowance : fastAllowance;
                        excused.add(new long[] {at, at + allowance});
                    }
                }
                long[] worst = uncovered(from, to, excused);
                if (worst != null) {
                    broken.add("two instances of " + older.singleton + " for " + SimHistory.ms(worst[1] - worst[0])
                            + " from " + SimHistory.ms(worst[0]) + ": " + older + " and " + newer);
                }
            }
        }
    }

    private long ended(SimHistory.Instance instance) {
        long stopBound = instance.stopping == Long.MAX_VALUE ? Long.MAX_VALUE : instance.stopping + stopAllowance;
        return Math.min(instance.end, stopBound);
    }

    private void tokensIncrease(SimHistory history, List<String> broken) {
        for (String singleton : singletons) {
            long last = Long.MIN_VALUE;
            SimHistory.Instance before = null;
            for (SimHistory.Instance instance : history.instances()) {
                if (instance.singleton.equals(singleton)) {
                    if (instance.token <= last) {
                        if (!staleStartExcused(history, instance)) {
                            broken.add("token did not increase: " + before + " then " + instance);
                        }
                        continue; // the later token stays the one to beat
                    }
                    last = instance.token;
                    before = instance;
                }
            }
        }
    }

    /**
     * Fast mode only: an instance of an older term that starts within its node's thaw allowance, on a node whose
     * session the server ended while it was frozen. At the thaw the node has not read the end yet (the same early end
     * fast mode allows an overlap for), so a start it had queued before the freeze runs first with the term's token;
     * a downstream check of the token refuses what it writes. FINDINGS.md 6.
     */
    private boolean staleStartExcused(SimHistory history, SimHistory.Instance instance) {
        if (strict) {
            return false;
        }
        TreeMap<Long, Boolean> timeline = history.ableTimeline().getOrDefault(instance.node, new TreeMap<>());
        for (long[] thaw : thaws(history, instance.node)) {
            if (instance.start < thaw[0] || instance.start > thaw[1]) {
                continue;
            }
            Long frozen = null;
            for (Map.Entry<Long, Boolean> e : timeline.headMap(thaw[0], false).entrySet()) {
                frozen = e.getValue() ? null : frozen == null ? e.getKey() : frozen;
            }
            for (long at : history.serverEnded().getOrDefault(instance.node, List.of())) {
                if (frozen != null && at >= frozen && at <= thaw[0]) {
                    return true;
                }
            }
        }
        return false;
    }

    private void ledAgain(SimHistory history, long end, List<String> broken) {
        for (String singleton : singletons) {
            List<long[]> led = new ArrayList<>();
            for (SimHistory.Instance instance : history.instances()) {
                if (instance.singleton.equals(singleton)) {
                    led.add(new long[] {instance.start, Math.min(instance.end, end)});
                }
            }
            // each stretch between two faults, minus the time it was led, must have no gap longer than the bound
            List<Long> cuts = new ArrayList<>(history.faults());
            cuts.add(0, 0L);
            cuts.add(end);
            cuts.sort(Comparator.naturalOrder());
            for (int k = 0; k + 1 < cuts.size(); k++) {
                long a = cuts.get(k);
                long b = cuts.get(k + 1);
                if (b - a <= livenessBound || !someoneAble(history, a)) {
                    continue;
                }
                long[] gap = longestUncovered(a, b, led);
                if (gap != null && gap[1] - gap[0] > livenessBound) {
                    broken.add(singleton + " unled for " + SimHistory.ms(gap[1] - gap[0]) + " from "
                            + SimHistory.ms(gap[0]) + " with no fault since " + SimHistory.ms(a)
                            + " and a node able to lead (bound " + SimHistory.ms(livenessBound) + ")");
                }
            }
        }
    }

    private static boolean someoneAble(SimHistory history, long at) {
        for (TreeMap<Long, Boolean> timeline : history.ableTimeline().values()) {
            Map.Entry<Long, Boolean> state = timeline.floorEntry(at);
            if (state != null && state.getValue()) {
                return true;
            }
        }
        return false;
    }

    private static List<long[]> unable(SimHistory history, String node, long end) {
        List<long[]> out = new ArrayList<>();
        TreeMap<Long, Boolean> timeline = history.ableTimeline().getOrDefault(node, new TreeMap<>());
        Long since = null;
        for (Map.Entry<Long, Boolean> e : timeline.entrySet()) {
            if (!e.getValue() && since == null) {
                since = e.getKey();
            } else if (e.getValue() && since != null) {
                out.add(new long[] {since, e.getKey()});
                since = null;
            }
        }
        if (since != null) {
            out.add(new long[] {since, end});
        }
        return out;
    }

    private List<long[]> thaws(SimHistory history, String node) {
        List<long[]> out = new ArrayList<>();
        TreeMap<Long, Boolean> timeline = history.ableTimeline().getOrDefault(node, new TreeMap<>());
        Boolean before = null;
        for (Map.Entry<Long, Boolean> e : timeline.entrySet()) {
            if (Boolean.FALSE.equals(before) && e.getValue()) {
                out.add(new long[] {e.getKey(), e.getKey() + thawAllowance});
            }
            before = e.getValue();
        }
        return out;
    }

    /** @return the longest part of [from, to) that no interval covers, or null if all of it is covered */
    static long[] uncovered(long from, long to, List<long[]> covering) {
        long[] gap = longestUncovered(from, to, covering);
        return gap == null || gap[1] <= gap[0] ? null : gap;
    }

    private static long[] longestUncovered(long from, long to, List<long[]> covering) {
        List<long[]> sorted = new ArrayList<>(covering);
        sorted.sort(Comparator.comparingLong(c -> c[0]));
        long[] longest = null;
        long at = from;
        for (long[] c : sorted) {
            if (c[1] <= at) {
                continue;
            }
            if (c[0] >= to) {
                break;
            }
            if (c[0] > at && (longest == null || c[0] - at > longest[1] - longest[0])) {
                longest = new long[] {at, c[0]};
            }
            at = Math.max(at, c[1]);
        }
        if (at < to && (longest == null || to - at > longest[1] - longest[0])) {
            longest = new long[] {at, to};
        }
        return longest;
    }
}
