package io.highlander.cdi.leaderonly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code ScheduledExecutorService} on each of three nodes fires every 100 ms for 20 s; the leader is killed half
 * way (its scheduler stops dead, then its container goes, releasing the lock). Asserted on the recorded history:
 * every period ran at most once cluster-wide, the periods that did not run form the one failover gap, and each run
 * carries its term's fencing token, which only grows.
 */
class ScheduledLeaderOnlyTest {

    private static final Duration PERIOD = Duration.ofMillis(100);
    private static final long PERIODS = 200; // 20 s

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void threeNodesRunEachPeriodOnceAcrossALeaderKill() {
        List<TestNode> nodes = new ArrayList<>();
        for (String id : List.of("a", "b", "c")) {
            nodes.add(cluster.start(HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(2)).build(),
                    PeriodicJob.class, PeriodicScheduler.class));
        }
        TestNode first = LeaderOnlyTest.awaitLeader("periodic", nodes.toArray(TestNode[]::new));
        long epoch = System.currentTimeMillis() + 200;
        nodes.forEach(node -> node.bean(PeriodicScheduler.class).start(epoch, PERIOD));

        await().atMost(Duration.ofSeconds(60)).until(() -> runs().size() >= PERIODS / 2);
        first.bean(PeriodicScheduler.class).stop(); // the process dies: it fires no more ...
        first.close(); // ... and its lock goes
        List<TestNode> survivors = nodes.stream().filter(node -> node != first).toList();
        await().atMost(Duration.ofSeconds(60)).until(() -> survivors.stream()
                .allMatch(node -> node.bean(PeriodicScheduler.class).firings() >= PERIODS));
        survivors.forEach(node -> node.bean(PeriodicScheduler.class).stop());

        Map<Long, List<History.Entry>> byPeriod = new TreeMap<>();
        runs().forEach(entry -> byPeriod.computeIfAbsent(period(entry), p -> new ArrayList<>()).add(entry));
        assertThat(byPeriod.values()).as("runs per period").allSatisfy(runs -> assertThat(runs).hasSize(1));

        List<History.Entry> inOrder = byPeriod.values().stream().map(runs -> runs.get(0)).toList();
        assertThat(inOrder).extracting(History.Entry::token).isSorted();
        assertThat(inOrder).extracting(History.Entry::token).as("two terms: before and after the kill")
                .containsOnly(inOrder.get(0).token(), inOrder.get(inOrder.size() - 1).token());
        assertThat(inOrder.get(0).node()).isEqualTo(first.id());
        assertThat(inOrder.get(inOrder.size() - 1).node()).isNotEqualTo(first.id());

        List<Long> periods = new ArrayList<>(byPeriod.keySet());
        long lastOfFirstTerm = inOrder.stream().filter(e -> e.node().equals(first.id())).mapToLong(this::period).max()
                .orElseThrow();
        long firstOfSecondTerm = periods.stream().filter(p -> p > lastOfFirstTerm).findFirst().orElseThrow();
        long gap = firstOfSecondTerm - lastOfFirstTerm - 1;
        long span = periods.get(periods.size() - 1) - periods.get(0) + 1;
        assertThat((long) periods.size()).as("periods run = periods - the failover gap of %d", gap)
                .isEqualTo(span - gap);
        System.out.printf("ScheduledLeaderOnlyTest: %d periods, %d run, failover gap %d periods (%d ms)%n",
                span, periods.size(), gap, gap * PERIOD.toMillis());
    }

    private List<History.Entry> runs() {
        return cluster.history().entries().stream().filter(entry -> entry.what().startsWith("period:")).toList();
    }

    private long period(History.Entry entry) {
        return Long.parseLong(entry.what().substring("period:".length()));
    }
}
