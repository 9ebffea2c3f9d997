package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.fleet.ManyFleet;
import io.highlander.cdi.internal.threads.LifecyclePool;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node with many singletons keeps a few threads (issue 22): before, every singleton had a lifecycle thread of its
 * own, so 200 singletons were 200 parked threads per node, and 100 nodes × 1,000 singletons did not fit under a
 * Linux pid_max of 32,768. The threads are counted by name ({@code highlander-…}) at every look of the test, from a
 * node's start through a hand-over of all its singletons to a second node, and the order of every singleton's
 * starts and stops is checked on the record.
 */
class ManySingletonsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int SINGLETONS = 200;
    /**
     * A node's Highlander threads at most: its lock thread, its watcher and its lease watchdog, the lifecycle pool's
     * {@link LifecyclePool#BUSY} running tasks (none here is stuck, none has fenced connections to abort), and two
     * that live a moment (a cancel request of the watcher's wait, the pool-starvation probe at start).
     */
    private static final int PER_NODE = 3 + LifecyclePool.BUSY + 2;

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void twoHundredSingletonsRunOnAFewThreadsPerNodeAndEachIsHandedOverInOrder() {
        Class<?>[] singletons = ManyFleet.first(SINGLETONS).toArray(Class<?>[]::new);
        long before = highlanderThreads(); // earlier tests' threads that are still ending: fewer later, never more
        AtomicLong most = new AtomicLong();

        TestNode a = cluster.start(settings("a"), singletons);
        await().atMost(PATIENCE).until(() -> sample(most, before) && led(a) == SINGLETONS);
        long mostWithOneNode = most.get();
        TestNode b = cluster.start(settings("b"), singletons);
        await().atMost(PATIENCE).until(() -> sample(most, before) && b.elector().status().stream()
                .allMatch(status -> status.state() == SingletonState.STANDBY));
        a.close();
        await().atMost(PATIENCE).until(() -> sample(most, before) && led(b) == SINGLETONS);

        assertThat(mostWithOneNode).as("Highlander threads of one node with %d singletons", SINGLETONS)
                .isLessThanOrEqualTo(PER_NODE);
        assertThat(most.get()).as("Highlander threads of two nodes with %d singletons each", SINGLETONS)
                .isLessThanOrEqualTo(2L * PER_NODE);
        History history = cluster.history();
        for (String name : IntStream.range(0, SINGLETONS).mapToObj(ManyFleet::name).toList()) {
            List<String> order = new ArrayList<>();
            for (History.Entry entry : history.entries()) {
                if (entry.what().endsWith(" " + name)) {
                    order.add(entry.node() + " " + entry.what().substring(0, entry.what().indexOf(' ')));
                }
            }
            assertThat(order).as(name).containsExactly("a start", "a stop", "b start");
        }
    }

    private static HighlanderSettings settings(String id) {
        return HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(3)).heartbeat(Duration.ofMillis(300))
                .standbyInterval(Duration.ofSeconds(1)).build();
    }

    private static int led(TestNode node) {
        return (int) node.elector().status().stream().filter(status -> status.state() == SingletonState.LEADING)
                .count();
    }

    /** Counts the Highlander threads now, keeps the most; always true (it runs inside the test's waits). */
    private static boolean sample(AtomicLong most, long before) {
        most.accumulateAndGet(highlanderThreads() - before, Math::max);
        return true;
    }

    private static long highlanderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("highlander-")).count();
    }
}
