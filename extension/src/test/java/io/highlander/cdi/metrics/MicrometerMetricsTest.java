package io.highlander.cdi.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.leaderonly.Sweeper;
import io.highlander.cdi.testing.Backends;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Weld containers as nodes publish to the application's {@link MeterRegistry} bean (as Quarkus provides one):
 * the leader flips when the leader node stops.
 */
class MicrometerMetricsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @RegisterExtension
    final TestCluster cluster = new TestCluster().share(MeterRegistry.class, registry);

    @Test
    void theLeaderFlipsWhenTheLeaderNodeStops() {
        TestNode a = cluster.start(settings("a"), Ticker.class);
        TestNode b = cluster.start(settings("b"), Ticker.class);
        TestNode first = await().atMost(PATIENCE).until(() -> leaderByMetrics(a, b), Optional::isPresent).get();
        TestNode second = first == a ? b : a;
        double firstToken = gauge("highlander.term.token", first, "ticker").value();

        assertThat((long) firstToken).isEqualTo(first.elector().checkLeadership("ticker"));
        assertThat(gauge("highlander.leading", second, "ticker").value()).isZero();
        // each term begun is one takeover, recorded once @PostConstruct is done
        await().atMost(PATIENCE).until(() -> takeoversMatchTerms(first));

        first.close();

        await().atMost(PATIENCE).until(() -> leaderByMetrics(a, b), leader -> leader.equals(Optional.of(second)));
        assertThat((long) gauge("highlander.term.token", second, "ticker").value())
                .isEqualTo(second.elector().checkLeadership("ticker")).isGreaterThan((long) firstToken);
        await().atMost(PATIENCE).until(() -> takeoversMatchTerms(second));
        assertThat(registry.find("highlander.leading").tag("node", first.id()).meters())
                .as("a stopped node removes its meters from a registry that outlives it").isEmpty();
    }

    @Test
    void aStepDownIsALostTermByReasonAndLeaderOnlyCallsAreCountedRunAndSkipped() {
        TestNode a = cluster.start(settings("a"), Sweeper.class);
        TestNode b = cluster.start(settings("b"), Sweeper.class);
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("sweep") || b.elector().isLeader("sweep"));
        TestNode leader = a.elector().isLeader("sweep") ? a : b;
        TestNode standby = leader == a ? b : a;
        leader.bean(Sweeper.class).sweep();
        standby.bean(Sweeper.class).sweep();
        standby.bean(Sweeper.class).sweep();

        assertThat(calls(leader, "run")).isEqualTo(1);
        assertThat(calls(leader, "skipped")).isZero();
        assertThat(calls(standby, "run")).isZero();
        assertThat(calls(standby, "skipped")).isEqualTo(2);

        leader.elector().stepDown("sweep", PATIENCE);

        await().atMost(PATIENCE).until(() -> gauge("highlander.leading", standby, "sweep").value() == 1);
        assertThat(lost(leader, "stepped_down")).isEqualTo(1);
        assertThat(lost(leader, "connection_lost")).isZero();
        await().atMost(PATIENCE).until(() -> termAge(standby).value() > 0);
        assertThat(termAge(leader).value()).isZero();
    }

    @Test
    void eachNodeShowsItsConnectionsHeartbeatsReconnectsAndTheNoticesItHeard() throws SQLException {
        TestNode a = cluster.start(settings("a"), Ticker.class);
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = cluster.start(settings("b"), Ticker.class);

        // a node session and a watcher each, as PostgreSQL sees them
        await().atMost(PATIENCE).until(() -> connections(a) == 2 && backends(a) == 2);
        await().atMost(PATIENCE).until(() -> connections(b) == 2 && backends(b) == 2);
        // the leader heartbeats on its node session, and each round trip is timed
        await().atMost(PATIENCE).until(() -> heartbeats(a).count() >= 3);
        assertThat(heartbeats(a).max(TimeUnit.NANOSECONDS)).isPositive();
        await().atMost(PATIENCE).until(() -> notices(a, "joined") >= 1); // b's node session began
        assertThat(reconnects(a)).isZero();

        Backends.terminate(cluster.dataSource(), Backends.nodeSessionOf(cluster.dataSource(), a.id()));

        await().atMost(PATIENCE).until(() -> reconnects(a) == 1 && connections(a) == 2);
        assertThat(reconnects(b)).isZero();
        TestNode leader = await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker") ? a
                : b.elector().isLeader("ticker") ? b : null, node -> node != null);
        TestNode standby = leader == a ? b : a;
        leader.close(); // its unlock tells the others

        await().atMost(PATIENCE).until(() -> notices(standby, "released") >= 1);
        assertThat(registry.find("highlander.connections").tag("node", leader.id()).meters())
                .as("a stopped node removes its node's meters too").isEmpty();
    }

    @Test
    void aRegistryThatExportsOnlyWhatItsNameBasedMethodsRegisterGetsEveryMeterThroughThem() {
        SimpleMeterRegistry server = new SimpleMeterRegistry();
        TestNode node = TestNode.start(settings("a"), cluster.dataSource(),
                Map.of(MeterRegistry.class, new ForwardingRegistry(server), History.class, cluster.history()),
                Ticker.class);
        try (node) {
            await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker"));

            await().atMost(PATIENCE).until(() -> {
                Gauge leading = server.find("highlander.leading").tag("node", "a").tag("singleton", "ticker").gauge();
                return leading != null && leading.value() == 1;
            });
            await().atMost(PATIENCE).until(() -> server.get("highlander.heartbeat").tag("node", "a").timer().count() >= 1);
            assertThat(server.get("highlander.takeover").tag("singleton", "ticker").timer().count()).isEqualTo(1);
            assertThat(server.get("highlander.terms.begun").tag("singleton", "ticker").functionCounter().count())
                    .isEqualTo(1);
            assertThat(server.get("highlander.term.age").tag("singleton", "ticker").timeGauge()).isNotNull();
            assertThat(server.get("highlander.notices").tag("kind", "joined").functionCounter()).isNotNull();
        }
        assertThat(server.find("highlander.leading").meters()).as("removed when the node stops").isEmpty();
    }

    @Test
    void aRegistryThatRefusesTheMetersIsSaidOnceAndTheNodeRunsOn() {
        SimpleMeterRegistry refusing = new SimpleMeterRegistry();
        refusing.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                throw new IllegalStateException("no room for " + id.getName());
            }
        });
        try (LogRecorder log = LogRecorder.of("io.highlander.cdi.internal.metrics.MetricsPublisher")) {
            TestNode node = TestNode.start(settings("a"), cluster.dataSource(),
                    Map.of(MeterRegistry.class, refusing, History.class, cluster.history()), Ticker.class);
            try (node) {
                await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker"));

                assertThat(log.messages()).containsExactly("HL-0490: the cluster singletons' meters could not be"
                        + " published to Micrometer (java.lang.IllegalStateException: no room for highlander.leading);"
                        + " the node runs on without them. The HL lines, the JMX view and LeaderElector.status() still"
                        + " show leadership; see docs/metrics.md");
            }
        }
    }

    private double connections(TestNode node) {
        Gauge held = registry.find("highlander.connections").tag("node", node.id()).gauge();
        return held == null ? -1 : held.value();
    }

    /** @return how many backends of the node's sessions the server has */
    private int backends(TestNode node) throws SQLException {
        try (Connection admin = cluster.dataSource().getConnection();
             PreparedStatement query = admin.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            query.setString(1, "highlander:" + node.id());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private Timer heartbeats(TestNode node) {
        return registry.get("highlander.heartbeat").tag("node", node.id()).timer();
    }

    private double reconnects(TestNode node) {
        return registry.get("highlander.reconnects").tag("node", node.id()).functionCounter().count();
    }

    private double notices(TestNode node, String kind) {
        return registry.get("highlander.notices").tag("node", node.id()).tag("kind", kind).functionCounter().count();
    }

    private Optional<TestNode> leaderByMetrics(TestNode... nodes) {
        List<TestNode> leaders = Stream.of(nodes).filter(n -> {
            Gauge leading = registry.find("highlander.leading").tag("node", n.id()).tag("singleton", "ticker").gauge();
            return leading != null && leading.value() == 1; // a stopped node has removed its gauge
        }).toList();
        return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    private boolean takeoversMatchTerms(TestNode node) {
        double begun = counter("highlander.terms.begun", node, "ticker").count();
        return begun >= 1 && takeover(node, "ticker").count() == begun;
    }

    private Gauge gauge(String name, TestNode node, String singleton) {
        return registry.get(name).tag("node", node.id()).tag("singleton", singleton).gauge();
    }

    private TimeGauge termAge(TestNode node) {
        return registry.get("highlander.term.age").tag("node", node.id()).tag("singleton", "sweep").timeGauge();
    }

    private FunctionCounter counter(String name, TestNode node, String singleton) {
        return registry.get(name).tag("node", node.id()).tag("singleton", singleton).functionCounter();
    }

    private Timer takeover(TestNode node, String singleton) {
        return registry.get("highlander.takeover").tag("node", node.id()).tag("singleton", singleton).timer();
    }

    private double calls(TestNode node, String outcome) {
        return registry.get("highlander.leaderonly.calls").tag("node", node.id()).tag("singleton", "sweep")
                .tag("outcome", outcome).functionCounter().count();
    }

    private double lost(TestNode node, String reason) {
        return registry.get("highlander.terms.lost").tag("node", node.id()).tag("singleton", "sweep")
                .tag("reason", reason).functionCounter().count();
    }

    private static HighlanderSettings settings(String node) {
        return HighlanderSettings.builder().nodeId(node).lease(Duration.ofSeconds(3)).heartbeat(Duration.ofMillis(300))
                .standbyInterval(Duration.ofSeconds(1)).build();
    }
}
