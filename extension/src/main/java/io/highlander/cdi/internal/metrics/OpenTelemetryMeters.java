package io.highlander.cdi.internal.metrics;

import io.highlander.cdi.LossReason;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * The node's instruments in OpenTelemetry, named as its semantic conventions ask (a {@code highlander.} namespace,
 * dotted lower-case names, UCUM units, no {@code _total}; attributes {@code highlander.singleton} and
 * {@code highlander.node}, or {@code highlander.node} alone for the node session's {@code highlander.node.*}). Only
 * loaded when the application has the OpenTelemetry API ({@link MetricsPublisher}).
 */
final class OpenTelemetryMeters implements AutoCloseable {

    /** The instrumentation scope: the library's own name. */
    static final String SCOPE = "io.highlander.cdi";
    static final AttributeKey<String> SINGLETON = AttributeKey.stringKey("highlander.singleton");
    static final AttributeKey<String> NODE = AttributeKey.stringKey("highlander.node");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("highlander.loss.reason");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("highlander.call.outcome");
    static final AttributeKey<String> KIND = AttributeKey.stringKey("highlander.notice.kind");
    /** Takeovers last from milliseconds to a slow {@code @PostConstruct}: the SDK's default buckets are for ms. */
    private static final List<Double> TAKEOVER_BUCKETS =
            List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);
    /** A heartbeat's round trip: under a millisecond on loopback, up to the lease when the server stalls. */
    private static final List<Double> HEARTBEAT_BUCKETS =
            List.of(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);

    private final SingletonReadings readings;
    private final List<AutoCloseable> instruments = new ArrayList<>();
    private final BiConsumer<String, Duration> takeoverListener;
    private final LongConsumer heartbeatListener;

    private OpenTelemetryMeters(SingletonReadings readings, DoubleHistogram takeover, DoubleHistogram heartbeat) {
        this.readings = readings;
        this.takeoverListener = (singleton, duration) ->
                takeover.record(duration.toNanos() / 1e9, attributes(singleton));
        Attributes node = nodeAttributes();
        this.heartbeatListener = roundTripNanos -> heartbeat.record(roundTripNanos / 1e9, node);
    }

    /**
     * @param beans    the application's beans: its {@code OpenTelemetry}, if it has one, else the global one if the
     *                 application (or the Java agent) set it
     * @param readings what to publish
     * @return the instruments, to close when the node stops; nothing when there is no OpenTelemetry to publish to
     */
    static AutoCloseable publish(Instance<Object> beans, SingletonReadings readings) {
        Instance<OpenTelemetry> provided = beans.select(OpenTelemetry.class);
        if (provided.isResolvable()) {
            return publish(provided.get(), readings);
        }
        if (globalIsSet()) {
            return publish(GlobalOpenTelemetry.get(), readings);
        }
        return () -> { }; // nothing would collect the meters
    }

    /**
     * Whether the application (or the Java agent) set the global OpenTelemetry. Never {@code GlobalOpenTelemetry.get()}
     * before: it would fix the global to a no-op, and the application's own {@code GlobalOpenTelemetry.set} would
     * then fail.
     */
    private static boolean globalIsSet() {
        try {
            return GlobalOpenTelemetry.isSet();
        } catch (NoSuchMethodError e) {
            return false; // an API older than isSet() cannot tell without fixing the global
        }
    }

    /**
     * @param openTelemetry where to publish
     * @param readings      what
     * @return the instruments, to close when the node stops
     */
    static OpenTelemetryMeters publish(OpenTelemetry openTelemetry, SingletonReadings readings) {
        Meter meter = openTelemetry.getMeter(SCOPE);
        DoubleHistogram takeover = meter.histogramBuilder("highlander.singleton.takeover.duration").setUnit("s")
                .setDescription("From the lock granted to @PostConstruct done, per term begun on this node")
                .setExplicitBucketBoundariesAdvice(TAKEOVER_BUCKETS).build();
        DoubleHistogram heartbeat = meter.histogramBuilder("highlander.node.heartbeat.duration").setUnit("s")
                .setDescription("Round trip of each heartbeat on this node's session, from sending to answer")
                .setExplicitBucketBoundariesAdvice(HEARTBEAT_BUCKETS).build();
        OpenTelemetryMeters published = new OpenTelemetryMeters(readings, takeover, heartbeat);
        try {
            List<String> singletons = readings.singletons();
            published.instruments.add(meter.gaugeBuilder("highlander.singleton.leading").ofLongs().setUnit("1")
                    .setDescription("1 while this node leads the singleton, else 0")
                    .buildWithCallback(m -> singletons.forEach(
                            s -> m.record(readings.leading(s), published.attributes(s)))));
            published.instruments.add(meter.gaugeBuilder("highlander.singleton.term.token").ofLongs().setUnit("1")
                    .setDescription("The fencing token of the term this node leads, 0 on a standby")
                    .buildWithCallback(m -> singletons.forEach(
                            s -> m.record(readings.token(s), published.attributes(s)))));
            published.instruments.add(meter.gaugeBuilder("highlander.singleton.term.age").setUnit("s")
                    .setDescription("How long ago this node's current term's lock was granted; 0 on a standby")
                    .buildWithCallback(m -> singletons.forEach(
                            s -> m.record(readings.termAgeSeconds(s), published.attributes(s)))));
            published.instruments.add(meter.counterBuilder("highlander.singleton.terms.begun").setUnit("{term}")
                    .setDescription("Terms (fencing tokens) this node began")
                    .buildWithCallback(m -> singletons.forEach(
                            s -> m.record(readings.termsBegun(s), published.attributes(s)))));
            published.instruments.add(meter.counterBuilder("highlander.singleton.terms.lost").setUnit("{term}")
                    .setDescription("Terms this node ended, by reason")
                    .buildWithCallback(m -> singletons.forEach(s -> {
                        for (LossReason reason : LossReason.values()) {
                            m.record(readings.termsLost(s, reason), published.attributes(s).toBuilder()
                                    .put(REASON, reason.name().toLowerCase(Locale.ROOT)).build());
                        }
                    })));
            published.instruments.add(meter.counterBuilder("highlander.leader_only.calls").setUnit("{call}")
                    .setDescription("@LeaderOnly calls this node let through or skipped")
                    .buildWithCallback(m -> singletons.forEach(s -> {
                        m.record(readings.leaderOnlyRun(s),
                                published.attributes(s).toBuilder().put(OUTCOME, "run").build());
                        m.record(readings.leaderOnlySkipped(s),
                                published.attributes(s).toBuilder().put(OUTCOME, "skipped").build());
                    })));
            publishNode(meter, published);
        } catch (RuntimeException e) {
            published.close(); // none or all, as with Micrometer
            throw e;
        }
        readings.tally().onTakeover(published.takeoverListener);
        readings.nodeTally().onHeartbeat(published.heartbeatListener);
        return published;
    }

    /** The node session's instruments: one of each per node. */
    private static void publishNode(Meter meter, OpenTelemetryMeters published) {
        SingletonReadings readings = published.readings;
        Attributes node = published.nodeAttributes();
        // an up-down counter, not a gauge: connections add up across the nodes of a cluster
        published.instruments.add(meter.upDownCounterBuilder("highlander.node.connections").setUnit("{connection}")
                .setDescription("Connections of the DataSource this node holds for its elections (node session, watcher)")
                .buildWithCallback(m -> m.record(readings.connections(), node)));
        published.instruments.add(meter.counterBuilder("highlander.node.reconnects").setUnit("{reconnect}")
                .setDescription("Times this node's session was opened again after it was lost")
                .buildWithCallback(m -> m.record(readings.reconnects(), node)));
        published.instruments.add(meter.counterBuilder("highlander.node.notices").setUnit("{notice}")
                .setDescription("Notices this node's session heard from other sessions")
                .buildWithCallback(m -> readings.noticeKinds().forEach(
                        kind -> m.record(readings.noticesHeard(kind), node.toBuilder().put(KIND, kind).build()))));
    }

    private Attributes attributes(String singleton) {
        return Attributes.of(SINGLETON, singleton, NODE, readings.node());
    }

    private Attributes nodeAttributes() {
        return Attributes.of(NODE, readings.node());
    }

    /** Stops the callbacks: the provider may outlive the node (a global one). */
    @Override
    public void close() {
        readings.tally().removeTakeoverListener(takeoverListener);
        readings.nodeTally().removeHeartbeatListener(heartbeatListener);
        for (AutoCloseable instrument : instruments) {
            try {
                instrument.close();
            } catch (Exception e) {
                // the instrument's callback is gone either way
            }
        }
        instruments.clear();
    }
}
