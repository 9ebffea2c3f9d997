package io.highlander.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * After a test, no connection outlived its purpose — the promise "a connection never goes back to its pool
 * holding a lock", and its twin "a pool gets every connection back":
 * <ol>
 *   <li>PostgreSQL: every granted singleton lock in the test database belongs to the node session
 *       ({@code highlander:<node>}) of the one live node that believes it leads — never to a pooled connection
 *       ({@code pool:<node>}), an unnamed session or a node that is gone; every liveness lock to the node session
 *       of a live node, one each, and no watcher keeps a grant of one; a live node has at most its node session
 *       and its watcher, a node that is gone none;</li>
 *   <li>the pools, from what the nodes recorded: a node never had more connections out than its lock sessions
 *       plus one leader lookup, the count never grew from term to term ({@link Histories#poolLeaks}), and each
 *       live node is back to at most its lock sessions at the end.</li>
 * </ol>
 * Both wait for the cluster to settle (a hand-over in flight is not a leak), at most a lease and 3 s.
 */
final class ConnectionAudit {

    static final Duration SETTLE = FaultCluster.LEASE.plusSeconds(3);

    private ConnectionAudit() {
    }

    /** Asserts both halves; the message shows what the server or the record showed last. */
    static void assertNothingLeaked(FaultCluster cluster) throws Exception {
        long since = NodeMain.micros();
        List<String> lockProblems = settled(() -> lockProblems(cluster));
        assertThat(lockProblems).as("advisory locks and lock sessions outside a current term").isEmpty();
        List<String> poolEnd = settled(() -> poolsNotBackSince(cluster, since));
        Histories histories = cluster.histories();
        System.out.println("pools: " + summary(histories));
        assertThat(poolEnd).as("pools back to their lock sessions at the end").isEmpty();
        assertThat(histories.poolOverdraws(NodeMain.LOCK_SESSIONS))
                .as("samples with more connections out than %d lock session(s) and a lookup", NodeMain.LOCK_SESSIONS)
                .isEmpty();
        assertThat(histories.poolLeaks(NodeMain.LOCK_SESSIONS)).as("pool slots that never came back").isEmpty();
    }

    /** What PostgreSQL shows that no current term explains; empty when all is well. */
    static List<String> lockProblems(FaultCluster cluster) throws Exception {
        List<String> believed = cluster.believedLeaders();
        Map<String, Long> alive = cluster.alivePids();
        List<String> problems = new ArrayList<>();
        for (FaultCluster.Backend holder : cluster.advisoryLockHolders()) {
            Optional<String> node = nodeOf(holder);
            if (node.isEmpty() || !alive.containsKey(node.get()) || !believed.equals(List.of(node.get()))) {
                problems.add("advisory lock held by " + holder + " while the live nodes believing they lead are "
                        + believed);
            }
        }
        Map<String, List<FaultCluster.Backend>> liveness = new TreeMap<>();
        for (FaultCluster.Backend holder : cluster.livenessLockHolders("ExclusiveLock")) {
            Optional<String> node = nodeOf(holder);
            if (node.isEmpty() || !alive.containsKey(node.get())) {
                problems.add("liveness lock held by " + holder + ", not the node session of a live node");
            } else {
                liveness.computeIfAbsent(node.get(), n -> new ArrayList<>()).add(holder);
            }
        }
        liveness.forEach((node, held) -> {
            if (held.size() > 1) {
                problems.add("node " + node + " holds " + held.size() + " liveness locks: " + held);
            }
        });
        for (FaultCluster.Backend stuck : cluster.livenessLockHolders("ShareLock")) {
            problems.add("a watcher's grant of a liveness lock still held by " + stuck);
        }
        Map<String, List<FaultCluster.Backend>> sessions = new TreeMap<>();
        for (FaultCluster.Backend session : cluster.lockSessions()) {
            sessions.computeIfAbsent(nodeOf(session).orElseThrow(), n -> new ArrayList<>()).add(session);
        }
        sessions.forEach((node, ofNode) -> {
            if (!alive.containsKey(node)) {
                problems.add("lock session(s) of node " + node + ", which is gone: " + ofNode);
            } else if (ofNode.size() > NodeMain.LOCK_SESSIONS) {
                problems.add("node " + node + " has " + ofNode.size() + " lock sessions: " + ofNode);
            }
        });
        return problems;
    }

    /** Live node processes whose latest once-a-second sample since the instant is missing or above their lock sessions. */
    private static List<String> poolsNotBackSince(FaultCluster cluster, long since) throws Exception {
        Histories histories = cluster.histories();
        List<String> problems = new ArrayList<>();
        cluster.alivePids().forEach((node, pid) -> {
            Optional<Histories.PoolSample> latest = histories.latestPeriodicPoolSample(pid);
            if (latest.isEmpty() || latest.get().micros() < since) {
                problems.add("node " + node + " (pid " + pid + ") reported no pool state since the test ended");
            } else if (latest.get().active() > NodeMain.LOCK_SESSIONS) {
                problems.add("node " + node + ": " + latest.get());
            }
        });
        return problems;
    }

    private interface Check {
        List<String> problems() throws Exception;
    }

    /** Waits until the check finds nothing, and returns what it found last (empty if it settled). */
    private static List<String> settled(Check check) {
        AtomicReference<List<String>> last = new AtomicReference<>(List.of());
        try {
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(100)).until(() -> {
                last.set(check.problems());
                return last.get().isEmpty();
            });
        } catch (ConditionTimeoutException e) {
            // the last findings are the answer
        }
        return last.get();
    }

    private static Optional<String> nodeOf(FaultCluster.Backend backend) {
        String name = backend.applicationName();
        return name != null && name.startsWith("highlander:")
                ? Optional.of(name.substring("highlander:".length())) : Optional.empty();
    }

    /** Per node process: samples, and the most connections out / in total / threads waiting that it reported. */
    static String summary(Histories histories) {
        Map<String, List<Histories.PoolSample>> byProcess = histories.poolSamples().stream()
                .collect(Collectors.groupingBy(s -> s.node() + "/" + s.pid(), TreeMap::new, Collectors.toList()));
        List<String> lines = new ArrayList<>();
        byProcess.forEach((process, samples) -> lines.add(String.format(java.util.Locale.ROOT,
                "%s: %d samples, max active %d, max total %d, max awaiting %d", process, samples.size(),
                samples.stream().mapToInt(Histories.PoolSample::active).max().orElse(0),
                samples.stream().mapToInt(Histories.PoolSample::total).max().orElse(0),
                samples.stream().mapToInt(Histories.PoolSample::awaiting).max().orElse(0))));
        return String.join("; ", lines);
    }
}
