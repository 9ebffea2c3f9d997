package io.highlander.cdi.internal.metrics;

import io.highlander.cdi.LossReason;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
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
    private final MicrometerRegistrar registrar;
    private final SingletonReadings readings;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Timer> takeovers = new ConcurrentHashMap<>();
    private final BiConsumer<String, Duration> takeoverListener = this::recordTakeover;
    private Timer heartbeat;
    private final LongConsumer heartbeatListener = this::recordHeartbeat;

    private MicrometerMeters(MicrometerRegistrar registrar, SingletonReadings readings) {
        this.registry = registrar.registry;
        this.registrar = registrar;
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
     * Publishes through Micrometer's builders, or through the registry's name-based methods where it does not find
     * what builders registered ({@link MicrometerRegistrar}).
     *
     * @param registry where to publish
     * @param readings what
     * @return the meters, to close (remove) when the node stops
     */
    static MicrometerMeters publish(MeterRegistry registry, SingletonReadings readings) {
        MicrometerMeters published = publish(MicrometerRegistrar.builders(registry), readings);
        if (!published.registrar.finds(published.heartbeat)) {
            published.close();
            published = publish(MicrometerRegistrar.byName(registry), readings);
        }
        readings.tally().onTakeover(published.takeoverListener);
        readings.nodeTally().onHeartbeat(published.heartbeatListener);
        return published;
    }

    private static MicrometerMeters publish(MicrometerRegistrar registrar, SingletonReadings readings) {
        MicrometerMeters published = new MicrometerMeters(registrar, readings);
        try {
            readings.singletons().forEach(published::register);
            published.registerNode();
        } catch (RuntimeException e) {
            published.close(); // none or all: a half-published node would look like one without some singletons
            throw e;
        }
        return published;
    }

    /** The node session's meters: one of each per node. */
    private void registerNode() {
        Tags tags = Tags.of("node", readings.node());
        meters.add(registrar.gauge("highlander.connections", tags,
                "Connections of the DataSource this node holds for its elections (node session, watcher)", readings,
                SingletonReadings::connections));
        meters.add(registrar.functionCounter("highlander.reconnects", tags,
                "Times this node's session was opened again after it was lost", readings, SingletonReadings::reconnects));
        for (String kind : readings.noticeKinds()) {
            meters.add(registrar.functionCounter("highlander.notices", tags.and("kind", kind),
                    "Notices this node's session heard from other sessions", readings, r -> r.noticesHeard(kind)));
        }
        heartbeat = registrar.timer("highlander.heartbeat", tags,
                "Round trip of each heartbeat on this node's session, from sending to answer");
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
        meters.add(registrar.gauge("highlander.leading", tags, "1 while this node leads the singleton, else 0",
                readings, r -> r.leading(singleton)));
        meters.add(registrar.gauge("highlander.term.token", tags,
                "The fencing token of the term this node leads, 0 on a standby", readings, r -> r.token(singleton)));
        meters.add(registrar.timeGauge("highlander.term.age", tags,
                "How long ago this node's current term's lock was granted; 0 on a standby", readings,
                r -> r.termAgeSeconds(singleton)));
        meters.add(registrar.functionCounter("highlander.terms.begun", tags, "Terms (fencing tokens) this node began",
                readings, r -> r.termsBegun(singleton)));
        for (LossReason reason : LossReason.values()) {
            meters.add(registrar.functionCounter("highlander.terms.lost",
                    tags.and("reason", reason.name().toLowerCase(Locale.ROOT)), "Terms this node ended, by reason",
                    readings, r -> r.termsLost(singleton, reason)));
        }
        meters.add(registrar.functionCounter("highlander.leaderonly.calls", tags.and("outcome", "run"),
                "@LeaderOnly calls this node let through or skipped", readings, r -> r.leaderOnlyRun(singleton)));
        meters.add(registrar.functionCounter("highlander.leaderonly.calls", tags.and("outcome", "skipped"),
                "@LeaderOnly calls this node let through or skipped", readings, r -> r.leaderOnlySkipped(singleton)));
        Timer takeover = registrar.timer("highlander.takeover", tags,
                "From the lock granted to @PostConstruct done, per term begun on this node");
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
