package io.highlander.cdi.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.leaderonly.Sweeper;
import io.highlander.cdi.testing.Backends;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Weld containers as nodes publish to the application's {@link OpenTelemetry} (as MicroProfile Telemetry provides
 * one), read with the SDK's in-memory reader as an exporter would: the leader flips when the leader node stops.
 */
class OpenTelemetryMetricsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final AttributeKey<String> NODE = AttributeKey.stringKey("highlander.node");
    private static final AttributeKey<String> SINGLETON = AttributeKey.stringKey("highlander.singleton");

    private final InMemoryMetricReader reader = InMemoryMetricReader.create();
    private final SdkMeterProvider meterProvider = SdkMeterProvider.builder().registerMetricReader(reader).build();

    @RegisterExtension
    final TestCluster cluster = new TestCluster()
            .share(OpenTelemetry.class, OpenTelemetrySdk.builder().setMeterProvider(meterProvider).build());

    @AfterEach
    void closeProvider() {
        meterProvider.close();
    }

    @Test
    void theLeaderFlipsWhenTheLeaderNodeStops() {
        TestNode a = cluster.start(settings("a"), Ticker.class);
        TestNode b = cluster.start(settings("b"), Ticker.class);
        TestNode first = await().atMost(PATIENCE).until(() -> leaderByMetrics(a, b), Optional::isPresent).get();
        TestNode second = first == a ? b : a;
        long firstToken = longValue("highlander.singleton.term.token", first, "ticker").orElseThrow();

        assertThat(firstToken).isEqualTo(first.elector().checkLeadership("ticker"));
        assertThat(longValue("highlander.singleton.leading", second, "ticker")).contains(0L);
        assertThat(longValue("highlander.singleton.term.token", second, "ticker")).contains(0L);
        // each term begun is one takeover, recorded once @PostConstruct is done
        await().atMost(PATIENCE).until(() -> takeoversMatchTerms(first));

        first.close();

        await().atMost(PATIENCE).until(() -> leaderByMetrics(a, b), leader -> leader.equals(Optional.of(second)));
        assertThat(longValue("highlander.singleton.term.token", second, "ticker")).get()
                .isEqualTo(second.elector().checkLeadership("ticker")).matches(token -> token > firstToken);
        await().atMost(PATIENCE).until(() -> takeoversMatchTerms(second));
        assertThat(points(first, "highlander.singleton.leading")).as("a stopped node withdraws its meters").isEmpty();
    }

    @Test
    void aStepDownIsALostTermByReasonAndLeaderOnlyCallsAreCountedRunAndSkipped() {
        TestNode a = cluster.start(settings("a"), Sweeper.class);
        TestNode b = cluster.start(settings("b"), Sweeper.class);
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("sweep") || b.elector().isLeader("sweep"));
        TestNode leader = a.elector().isLeader("sweep") ? a : b;
        TestNode standby = leader == a ? b : a;
        leader.bean(Sweeper.class).sweep();
        leader.bean(Sweeper.class).sweep();
        standby.bean(Sweeper.class).sweep();

        assertThat(calls(leader, "run")).contains(2L);
        assertThat(calls(leader, "skipped")).contains(0L);
        assertThat(calls(standby, "run")).contains(0L);
        assertThat(calls(standby, "skipped")).contains(1L);

        leader.elector().stepDown("sweep", PATIENCE);

        await().atMost(PATIENCE).until(() -> longValue("highlander.singleton.leading", standby, "sweep"),
                value -> value.equals(Optional.of(1L)));
        assertThat(lost(leader, "stepped_down")).contains(1L);
        assertThat(lost(leader, "shutdown")).contains(0L);
        assertThat(lost(standby, "stepped_down")).contains(0L);
        await().atMost(PATIENCE).until(() -> termAge(standby, "sweep") > 0);
        assertThat(termAge(leader, "sweep")).isZero();
    }

    @Test
    void eachNodeShowsItsConnectionsHeartbeatsReconnectsAndTheNoticesItHeard() throws SQLException {
        TestNode a = cluster.start(settings("a"), Ticker.class);
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = cluster.start(settings("b"), Ticker.class);

        await().atMost(PATIENCE).until(() -> nodeValue("highlander.node.connections", a).equals(Optional.of(2L))
                && nodeValue("highlander.node.connections", b).equals(Optional.of(2L)));
        await().atMost(PATIENCE).until(() -> heartbeats(a) >= 3);
        await().atMost(PATIENCE).until(() -> notices(a, "joined") >= 1);
        assertThat(nodeValue("highlander.node.reconnects", a)).contains(0L);

        Backends.terminate(cluster.dataSource(), Backends.nodeSessionOf(cluster.dataSource(), a.id()));

        await().atMost(PATIENCE).until(() -> nodeValue("highlander.node.reconnects", a).equals(Optional.of(1L)));
        assertThat(nodeValue("highlander.node.reconnects", b)).contains(0L);
        TestNode leader = await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker") ? a
                : b.elector().isLeader("ticker") ? b : null, node -> node != null);
        TestNode standby = leader == a ? b : a;
        leader.close();

        await().atMost(PATIENCE).until(() -> notices(standby, "released") >= 1);
        assertThat(points(leader, "highlander.node.connections")).as("a stopped node withdraws its node's meters")
                .isEmpty();
    }

    @Test
    void withoutAnOpenTelemetryBeanTheGlobalOneIsLeftForTheApplicationToSetAndIsUsedOnceSet() {
        GlobalOpenTelemetry.resetForTest();
        InMemoryMetricReader globalReader = InMemoryMetricReader.create();
        try (SdkMeterProvider global = SdkMeterProvider.builder().registerMetricReader(globalReader).build()) {
            TestNode early = TestNode.start(settings("early"), cluster.dataSource(),
                    Map.of(History.class, cluster.history()), Ticker.class);
            try (early) {
                await().atMost(PATIENCE).until(() -> early.elector().isLeader("ticker"));

                OpenTelemetry application = OpenTelemetrySdk.builder().setMeterProvider(global).build();
                assertThatCode(() -> GlobalOpenTelemetry.set(application))
                        .as("the application sets the global OpenTelemetry after a node started")
                        .doesNotThrowAnyException();
            }
            TestNode late = TestNode.start(settings("late"), cluster.dataSource(),
                    Map.of(History.class, cluster.history()), Ticker.class);
            try (late) {
                await().atMost(PATIENCE).until(() -> globalReader.collectAllMetrics().stream()
                        .filter(metric -> metric.getName().equals("highlander.singleton.leading"))
                        .flatMap(metric -> metric.getLongGaugeData().getPoints().stream())
                        .anyMatch(point -> "late".equals(point.getAttributes().get(NODE)) && point.getValue() == 1));
            }
        } finally {
            GlobalOpenTelemetry.resetForTest();
        }
    }

    /** @return a per-node instrument's one value on that node */
    private Optional<Long> nodeValue(String name, TestNode node) {
        return points(node, name).stream().filter(p -> p instanceof LongPointData)
                .map(p -> ((LongPointData) p).getValue()).findFirst();
    }

    private long heartbeats(TestNode node) {
        return points(node, "highlander.node.heartbeat.duration").stream()
                .mapToLong(p -> ((HistogramPointData) p).getCount()).sum();
    }

    private long notices(TestNode node, String kind) {
        return points(node, "highlander.node.notices").stream()
                .filter(p -> kind.equals(p.getAttributes().get(AttributeKey.stringKey("highlander.notice.kind"))))
                .mapToLong(p -> ((LongPointData) p).getValue()).sum();
    }

    private Optional<TestNode> leaderByMetrics(TestNode... nodes) {
        List<TestNode> leaders = Stream.of(nodes)
                .filter(node -> longValue("highlander.singleton.leading", node, "ticker").equals(Optional.of(1L)))
                .toList();
        return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    private double termAge(TestNode node, String singleton) {
        return points(node, "highlander.singleton.term.age").stream()
                .filter(p -> singleton.equals(p.getAttributes().get(SINGLETON)))
                .mapToDouble(p -> ((DoublePointData) p).getValue()).findFirst().orElseThrow();
    }

    private Optional<Long> calls(TestNode node, String outcome) {
        return longPoints(node, "highlander.leader_only.calls", "sweep")
                .filter(p -> outcome.equals(p.getAttributes().get(AttributeKey.stringKey("highlander.call.outcome"))))
                .map(LongPointData::getValue).findFirst();
    }

    private Optional<Long> lost(TestNode node, String reason) {
        return longPoints(node, "highlander.singleton.terms.lost", "sweep")
                .filter(p -> reason.equals(p.getAttributes().get(AttributeKey.stringKey("highlander.loss.reason"))))
                .map(LongPointData::getValue).findFirst();
    }

    private boolean takeoversMatchTerms(TestNode node) {
        long begun = longValue("highlander.singleton.terms.begun", node, "ticker").orElse(0L);
        return begun >= 1 && takeovers(node, "ticker") == begun;
    }

    private long takeovers(TestNode node, String singleton) {
        return points(node, "highlander.singleton.takeover.duration").stream()
                .filter(p -> singleton.equals(p.getAttributes().get(SINGLETON)))
                .mapToLong(p -> ((HistogramPointData) p).getCount()).sum();
    }

    private Optional<Long> longValue(String name, TestNode node, String singleton) {
        return longPoints(node, name, singleton).map(LongPointData::getValue).findFirst();
    }

    private Stream<LongPointData> longPoints(TestNode node, String name, String singleton) {
        return points(node, name).stream().filter(p -> p instanceof LongPointData)
                .filter(p -> singleton.equals(p.getAttributes().get(SINGLETON))).map(LongPointData.class::cast);
    }

    private List<PointData> points(TestNode node, String name) {
        Collection<MetricData> metrics = reader.collectAllMetrics();
        return metrics.stream().filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getData().getPoints().stream().map(PointData.class::cast))
                .filter(p -> node.id().equals(p.getAttributes().get(NODE))).toList();
    }

    private static HighlanderSettings settings(String node) {
        return HighlanderSettings.builder().nodeId(node).lease(Duration.ofSeconds(3)).heartbeat(Duration.ofMillis(300))
                .standbyInterval(Duration.ofSeconds(1)).build();
    }
}
