package io.highlander.cdi.internal.metrics;

import io.highlander.cdi.LossReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * The node's meters in a Micrometer registry, named as Micrometer names them (dotted, lower case; each registry
 * renders them its way, e.g. {@code highlander_terms_lost_total} in Prometheus) and tagged {@code singleton} and
 * {@code node}, or {@code node} alone for the node session's. Only loaded when the application has Micrometer
 * ({@link MetricsPublisher}).
 */
final class MicrometerMeters implements AutoCloseable {

    private final MeterRegistry registry;
    private final SingletonReadings readings;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Timer> takeovers = new ConcurrentHashMap<>();
    private final BiConsumer<String, Duration> takeoverListener = this::recordTakeover;
    private Timer heartbeat;
    private final LongConsumer heartbeatListener = this::recordHeartbeat;

    private MicrometerMeters(MeterRegistry registry, SingletonReadings readings) {
        this.registry = registry;
        this.readings = readings;
    }

    /**
     * @param beans    the application's beans: its {@code MeterRegistry}, if it has one, else Micrometer's global one
     * @param readings what to publish
     * @return the meters, to close (remove) when the node stops
     */
    static MicrometerMeters publish(Instance<Object> beans, SingletonReadings readings) {
        Instance<MeterRegistry> registries = beans.select(MeterRegistry.class);
        return publish(registries.isResolvable() ? registries.get() : Metrics.globalRegistry, readings);
    }

    /**
     * @param registry where to publish
     * @param readings what
     * @return the meters, to close (remove) when the node stops
     */
    static MicrometerMeters publish(MeterRegistry registry, SingletonReadings readings) {
        MicrometerMeters published = new MicrometerMeters(registry, readings);
        try {
            readings.singletons().forEach(published::register);
            published.registerNode();
        } catch (RuntimeException e) {
            published.close(); // none or all: a half-published node would look like one without some singletons
            throw e;
        }
        readings.tally().onTakeover(published.takeoverListener);
        readings.nodeTally().onHeartbeat(published.heartbeatListener);
        return published;
    }

    /** The node session's meters: one of each per node. */
    private void registerNode() {
        Tags tags = Tags.of("node", readings.node());
        meters.add(Gauge.builder("highlander.connections", readings, SingletonReadings::connections).tags(tags)
                .description("Connections of the DataSource this node holds for its elections (node session, watcher)")
                .strongReference(true).register(registry));
        meters.add(FunctionCounter.builder("highlander.reconnects", readings, SingletonReadings::reconnects)
                .tags(tags).description("Times this node's session was opened again after it was lost")
                .register(registry));
        for (String kind : readings.noticeKinds()) {
            meters.add(FunctionCounter.builder("highlander.notices", readings, r -> r.noticesHeard(kind))
                    .tags(tags).tag("kind", kind).description("Notices this node's session heard from other sessions")
                    .register(registry));
        }
        heartbeat = Timer.builder("highlander.heartbeat").tags(tags)
                .description("Round trip of each heartbeat on this node's session, from sending to answer")
                .publishPercentileHistogram().register(registry);
        meters.add(heartbeat);
    }

    private void recordHeartbeat(long roundTripNanos) {
        Timer timer = heartbeat;
        if (timer != null) {
            timer.record(roundTripNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void register(String singleton) {
        Tags tags = Tags.of("singleton", singleton, "node", readings.node());
        meters.add(Gauge.builder("highlander.leading", readings, r -> r.leading(singleton)).tags(tags)
                .description("1 while this node leads the singleton, else 0").strongReference(true).register(registry));
        meters.add(Gauge.builder("highlander.term.token", readings, r -> r.token(singleton)).tags(tags)
                .description("The fencing token of the term this node leads, 0 on a standby")
                .strongReference(true).register(registry));
        meters.add(TimeGauge.builder("highlander.term.age", readings, TimeUnit.SECONDS,
                        r -> r.termAgeSeconds(singleton)).tags(tags)
                .description("How long ago this node's current term's lock was granted; 0 on a standby")
                .strongReference(true).register(registry));
        meters.add(FunctionCounter.builder("highlander.terms.begun", readings, r -> r.termsBegun(singleton))
                .tags(tags).description("Terms (fencing tokens) this node began").register(registry));
        for (LossReason reason : LossReason.values()) {
            meters.add(FunctionCounter.builder("highlander.terms.lost", readings, r -> r.termsLost(singleton, reason))
                    .tags(tags).tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description("Terms this node ended, by reason").register(registry));
        }
        meters.add(FunctionCounter.builder("highlander.leaderonly.calls", readings, r -> r.leaderOnlyRun(singleton))
                .tags(tags).tag("outcome", "run").description("@LeaderOnly calls this node let through or skipped")
                .register(registry));
        meters.add(FunctionCounter.builder("highlander.leaderonly.calls", readings,
                        r -> r.leaderOnlySkipped(singleton))
                .tags(tags).tag("outcome", "skipped").description("@LeaderOnly calls this node let through or skipped")
                .register(registry));
        Timer takeover = Timer.builder("highlander.takeover").tags(tags)
                .description("From the lock granted to @PostConstruct done, per term begun on this node")
                .publishPercentileHistogram().register(registry);
        meters.add(takeover);
        takeovers.put(singleton, takeover);
    }

    private void recordTakeover(String singleton, Duration duration) {
        Timer timer = takeovers.get(singleton);
        if (timer != null) {
            timer.record(duration);
        }
    }

    /** Removes the node's meters from the registry, which may outlive the node (a shared or global one). */
    @Override
    public void close() {
        readings.tally().removeTakeoverListener(takeoverListener);
        readings.nodeTally().removeHeartbeatListener(heartbeatListener);
        meters.forEach(registry::remove);
        meters.clear();
    }
}
