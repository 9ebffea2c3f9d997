package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.fleet.Fleet;
import io.highlander.cdi.internal.config.SettingsSource;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Balanced placement ({@code highlander.placement=balanced}) on real PostgreSQL: ten singletons
 * ({@link Fleet#ALL}) spread over the live nodes, re-balanced when a node joins or leaves, each singleton handed
 * over at most once per re-balance and never running twice (asserted on the {@link History} of starts and stops).
 * The design and its races are in {@code io.highlander.cdi.internal.election}'s package documentation.
 */
class BalancedPlacementTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int S = Fleet.names().size();

    @RegisterExtension
    final TestCluster cluster = new TestCluster();
    private final History history = cluster.history();

    @Test
    void threeNodesEachLeadThreeOrFourOfTenSingletons() {
        List<TestNode> nodes = startBalanced("a", "b", "c");

        awaitSpread(nodes, 3, 4);

        for (TestNode node : nodes) {
            SingletonStatus status = node.elector().status("fleet-0");
            assertThat(status.placement()).isEqualTo(HighlanderSettings.Placement.BALANCED);
            assertThat(status.liveNodes()).isEqualTo(3);
            assertThat(status.share()).isBetween(3, 4);
            assertThat(status.ledHere()).isEqualTo(led(node)).isLessThanOrEqualTo(status.share());
        }
        assertThat(nodes.stream().mapToInt(node -> node.elector().status("fleet-0").share()).sum())
                .as("the shares add up to S").isEqualTo(S);
        assertNeverTwoAtOnce();
    }

    @Test
    void aFourthNodeJoiningTakesItsShareWithAtMostOneHandOverPerSingleton() {
        List<TestNode> nodes = startBalanced("a", "b", "c");
        awaitSpread(nodes, 3, 4);
        int joinedAt = history.entries().size();

        nodes.add(cluster.start(balanced("d"), Fleet.ALL.toArray(Class<?>[]::new)));

        awaitSpread(nodes, 2, 3);
        Map<String, Integer> starts = new HashMap<>();
        for (History.Entry entry : history.entries().subList(joinedAt, history.entries().size())) {
            if (entry.what().startsWith("start ")) {
                starts.merge(entry.what().substring(6), 1, Integer::sum);
            }
        }
        assertThat(starts.values()).as("instances started per singleton during the re-balance: %s", starts)
                .allSatisfy(count -> assertThat(count).isEqualTo(1));
        assertThat(starts.values().stream().mapToInt(Integer::intValue).sum())
                .as("singletons handed to the new node").isEqualTo(led(nodes.get(3)));
        assertNeverTwoAtOnce();
    }

    @Test
    void aNodeLeavingLeavesEverySingletonLedByTheOthersWithinTheirShare() {
        List<TestNode> nodes = startBalanced("a", "b", "c", "d");
        awaitSpread(nodes, 2, 3);
        TestNode leaving = nodes.stream().max(Comparator.comparingInt(BalancedPlacementTest::led)).orElseThrow();

        leaving.close();
        nodes.remove(leaving);

        awaitSpread(nodes, 3, 4);
        assertThat(nodes).allSatisfy(node -> assertThat(node.elector().status("fleet-0").liveNodes()).isEqualTo(3));
        assertNeverTwoAtOnce();
    }

    @Test
    void aSingletonNobodyElseWantsIsLedBeyondTheShareBecauseLivenessComesBeforeBalance() {
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            TestNode a = cluster.start(balanced("a"), Fleet.ALL.toArray(Class<?>[]::new));
            await().atMost(PATIENCE).until(() -> led(a) == S);
            // b counts as a live node but wants one singleton only: a's share drops to 5, yet nobody else takes
            // the ones a steps down
            TestNode b = cluster.start(balanced("b"), Fleet.S0.class);
            await().atMost(PATIENCE).until(() -> a.elector().status("fleet-1").liveNodes() == 2);

            awaitSpread(List.of(a, b), 0, S);
            assertThat(a.elector().status("fleet-1").share()).isEqualTo(S / 2);
            assertThat(log.messages()).anySatisfy(message -> assertThat(message)
                    .startsWith("HL-0433: ").endsWith(": node a leads it beyond its share because no node held its"
                            + " lock for PT2S (highlander.placement=balanced: a singleton nobody leads comes before"
                            + " balance)"));
            assertNeverTwoAtOnce();
        }
    }

    @Test
    void underFirstComePlacementTheNodeStartedFirstLeadsEverySingleton() {
        HighlanderSettings.Builder settings = HighlanderSettings.builder().lease(Duration.ofSeconds(5))
                .heartbeat(Duration.ofMillis(500)).standbyInterval(Duration.ofSeconds(2));
        assertThat(settings.build().placement()).isEqualTo(HighlanderSettings.Placement.FIRST_COME);
        TestNode first = cluster.start(settings.nodeId("a").build(), Fleet.ALL.toArray(Class<?>[]::new));
        await().atMost(PATIENCE).until(() -> led(first) == S);
        List<TestNode> later = new ArrayList<>();
        for (String id : List.of("b", "c")) {
            later.add(cluster.start(settings.nodeId(id).build(), Fleet.ALL.toArray(Class<?>[]::new)));
        }
        await().atMost(PATIENCE).until(() -> later.stream().allMatch(node -> Fleet.names().stream()
                .allMatch(name -> node.elector().status(name).state() == SingletonState.STANDBY)));

        assertThat(led(first)).isEqualTo(S);
        SingletonStatus status = first.elector().status("fleet-0");
        assertThat(status.placement()).isEqualTo(HighlanderSettings.Placement.FIRST_COME);
        assertThat(status.share()).isEqualTo(S);
        assertThat(status.ledHere()).isEqualTo(S);
        assertThat(status.liveNodes()).as("first come does not count the nodes").isZero();
        assertThat(history.entries().stream().filter(e -> e.what().startsWith("start ")))
                .allSatisfy(e -> assertThat(e.node()).isEqualTo("a"));
    }

    @Test
    void placementIsFirstComeOrBalancedAndAnUnknownValueFailsFast() {
        assertThat(SettingsSource.of(key -> key.equals("highlander.placement") ? Optional.of("Balanced")
                : Optional.empty()).load().placement()).isEqualTo(HighlanderSettings.Placement.BALANCED);
        assertThat(SettingsSource.of(key -> key.equals("highlander.placement") ? Optional.of("first-come")
                : Optional.empty()).load().placement()).isEqualTo(HighlanderSettings.Placement.FIRST_COME);
        assertThatThrownBy(() -> SettingsSource.of(key -> key.equals("highlander.placement") ? Optional.of("even")
                : Optional.empty()).load())
                .hasMessageEndingWith("HL-0322: highlander.placement 'even' is unknown; use 'first-come' or"
                        + " 'balanced'.");
        assertThatThrownBy(() -> HighlanderSettings.builder().placement(null).build())
                .hasMessage("HL-0322: highlander.placement 'null' is unknown; use 'first-come' or 'balanced'.");
    }

    // ---- helpers ----

    private List<TestNode> startBalanced(String... ids) {
        List<TestNode> nodes = new ArrayList<>();
        for (String id : ids) {
            nodes.add(cluster.start(balanced(id), Fleet.ALL.toArray(Class<?>[]::new)));
        }
        return nodes;
    }

    private static HighlanderSettings balanced(String id) {
        return HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(5)).heartbeat(Duration.ofMillis(500))
                .standbyInterval(Duration.ofSeconds(2)).placement(HighlanderSettings.Placement.BALANCED).build();
    }

    /**
     * Waits until every singleton is led by exactly one of {@code nodes}, whose instance has started (the last
     * start or stop in the history is its start there), and each node leads {@code min} to {@code max}.
     */
    private void awaitSpread(List<TestNode> nodes, int min, int max) {
        await().atMost(PATIENCE).until(() -> Fleet.names().stream().allMatch(name -> {
            List<TestNode> leaders = nodes.stream().filter(node -> leads(node, name)).toList();
            return leaders.size() == 1 && startedLast(name).filter(leaders.get(0).id()::equals).isPresent();
        }) && nodes.stream().allMatch(node -> led(node) >= min && led(node) <= max));
    }

    /** @return the node on which the singleton's last recorded start or stop was a start, if it was one */
    private Optional<String> startedLast(String name) {
        History.Entry last = null;
        for (History.Entry entry : history.entries()) {
            if (entry.what().equals("start " + name) || entry.what().equals("stop " + name)) {
                last = entry;
            }
        }
        return last != null && last.what().startsWith("start ") ? Optional.of(last.node()) : Optional.empty();
    }

    private static int led(TestNode node) {
        return (int) Fleet.names().stream().filter(name -> leads(node, name)).count();
    }

    /** @return whether {@code node} leads {@code name}; false for a singleton the node does not have */
    private static boolean leads(TestNode node, String name) {
        try {
            return node.elector().isLeader(name);
        } catch (IllegalArgumentException e) {
            return false; // HL-0408: not one of this node's singletons
        }
    }

    /** For every singleton, its instances' starts and stops alternate: never two at once. */
    private void assertNeverTwoAtOnce() {
        assertThat(history.twoInstancesOfOneSingleton()).as("a singleton with two instances at once").isEmpty();
    }
}
