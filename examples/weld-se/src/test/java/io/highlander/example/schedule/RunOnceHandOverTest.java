package io.highlander.example.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Weld nodes on one real PostgreSQL, each with its own timer firing {@link Sweep} every second; node b's clock
 * is 400 ms behind, so it fires each second 400 ms after a. The leader steps down right after running one second:
 * b takes over within milliseconds, and its timer fires that same second 400 ms later, while it leads. With
 * {@code @LeaderOnly} alone b would run that second again; with {@code @RunOnce} it finds it recorded. Asserted on
 * the recorded history: every second ran at most once, the hand-over's second by a, and b's firing of it came
 * while b led (else the test would prove nothing).
 */
class RunOnceHandOverTest {

    private static final Duration LAG = Duration.ofMillis(400);

    private final HandOver handOver = new HandOver();

    @RegisterExtension
    final TestCluster cluster = new TestCluster().share(HandOver.class, handOver);

    @Test
    void theSecondOfAHandOverRunsOnceThoughTheNewLeadersSkewedTimerFiresItAgain() throws Exception {
        try (Connection c = cluster.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE highlander_scheduled_run (election text NOT NULL, job text NOT NULL,"
                    + " instant timestamptz NOT NULL, fencing_token bigint NOT NULL, node text NOT NULL,"
                    + " recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (election, job, instant))");
        }
        TestNode a = node("a");
        await().atMost(Duration.ofSeconds(30)).until(() -> a.elector().isLeader(Sweep.NAME));
        TestNode b = node("b");
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
        handOver.at(at);
        a.bean(NodeTimer.class).start(Duration.ZERO);
        b.bean(NodeTimer.class).start(LAG);

        await().atMost(Duration.ofSeconds(60)).until(() -> ran().keySet().stream()
                .anyMatch(second -> second >= at.getEpochSecond() + 3));
        a.bean(NodeTimer.class).stop();
        b.bean(NodeTimer.class).stop();

        Map<Long, List<String>> ran = ran();
        assertThat(ran.values()).as("the nodes that ran each second: %s", ran)
                .allSatisfy(nodes -> assertThat(nodes).hasSize(1));
        assertThat(ran.get(at.getEpochSecond())).as("the hand-over's second").containsExactly("a");
        assertThat(cluster.history().entries("fired:" + at.getEpochSecond() + ":leading"))
                .as("b's timer fired the hand-over's second while b led: %s", cluster.history())
                .extracting(History.Entry::node).contains("b");
        assertThat(ran.entrySet()).as("after the hand-over b runs the seconds")
                .filteredOn(second -> second.getKey() > at.getEpochSecond()).isNotEmpty()
                .allSatisfy(second -> assertThat(second.getValue()).containsExactly("b"));
        assertThat(ledgerRows()).as("one row per second that ran").isEqualTo(ran.size());
    }

    private TestNode node(String id) {
        return cluster.start(HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(2)).build(),
                Sweep.class, NodeTimer.class);
    }

    /** @return for each second, the nodes that ran it */
    private Map<Long, List<String>> ran() {
        Map<Long, List<String>> ran = new TreeMap<>();
        for (History.Entry entry : cluster.history().entries()) {
            if (entry.what().startsWith("ran:")) {
                ran.computeIfAbsent(Long.parseLong(entry.what().substring(4)), s -> new ArrayList<>()).add(entry.node());
            }
        }
        return ran;
    }

    private long ledgerRows() throws Exception {
        try (Connection c = cluster.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT count(*) FROM highlander_scheduled_run")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
