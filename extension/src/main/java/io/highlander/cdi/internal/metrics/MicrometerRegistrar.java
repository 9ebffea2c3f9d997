package io.highlander.cdi.internal.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * How a meter of {@link MicrometerMeters} gets into a registry. Through Micrometer's builders where the registry
 * exports what they register: with a description, and timers with a percentile histogram. Some registries do not:
 * WildFly's registry for a deployment (its Micrometer subsystem, checked on WildFly 39) forwards to the server's
 * exporters only what its name-based methods ({@code gauge(name, tags, …)}, {@code timer(name, tags)},
 * {@code more().counter(name, tags, …)}) register, and keeps what builders register in a store of its own that no
 * exporter reads. For such a registry, those methods: the same names and tags, without descriptions, and timers
 * without histogram buckets.
 */
abstract class MicrometerRegistrar {

    final MeterRegistry registry;

    private MicrometerRegistrar(MeterRegistry registry) {
        this.registry = registry;
    }

    /** @return a registrar through Micrometer's builders */
    static MicrometerRegistrar builders(MeterRegistry registry) {
        return new MicrometerRegistrar(registry) {
            @Override
            Meter gauge(String name, Tags tags, String description, SingletonReadings readings,
                        ToDoubleFunction<SingletonReadings> value) {
                return Gauge.builder(name, readings, value).tags(tags).description(description).strongReference(true)
                        .register(registry);
            }

            @Override
            Meter timeGauge(String name, Tags tags, String description, SingletonReadings readings,
                            ToDoubleFunction<SingletonReadings> seconds) {
                return TimeGauge.builder(name, readings, TimeUnit.SECONDS, seconds).tags(tags).description(description)
                        .strongReference(true).register(registry);
            }

            @Override
            Meter functionCounter(String name, Tags tags, String description, SingletonReadings readings,
                                  ToDoubleFunction<SingletonReadings> count) {
                return FunctionCounter.builder(name, readings, count).tags(tags).description(description)
                        .register(registry);
            }

            @Override
            Timer timer(String name, Tags tags, String description) {
                return Timer.builder(name).tags(tags).description(description).publishPercentileHistogram()
                        .register(registry);
            }
        };
    }

    /** @return a registrar through the registry's name-based methods */
    static MicrometerRegistrar byName(MeterRegistry registry) {
        return new MicrometerRegistrar(registry) {
            @Override
            Meter gauge(String name, Tags tags, String description, SingletonReadings readings,
                        ToDoubleFunction<SingletonReadings> value) {
                registry.gauge(name, tags, readings, value); // returns the object, not the gauge
                return registry.get(name).tags(tags).gauge();
            }

            @Override
            Meter timeGauge(String name, Tags tags, String description, SingletonReadings readings,
                            ToDoubleFunction<SingletonReadings> seconds) {
                return registry.more().timeGauge(name, tags, readings, TimeUnit.SECONDS, seconds);
            }

            @Override
            Meter functionCounter(String name, Tags tags, String description, SingletonReadings readings,
                                  ToDoubleFunction<SingletonReadings> count) {
                return registry.more().counter(name, tags, readings, count);
            }

            @Override
            Timer timer(String name, Tags tags, String description) {
                // as Iterable: Micrometer 1.16's timer(String, Tags) is neither forwarded by such a registry nor
                // present in the Micrometer of WildFly 39 (1.15)
                Iterable<Tag> asIterable = tags;
                return registry.timer(name, asIterable);
            }
        };
    }

    /**
     * @param meter a meter this registrar registered
     * @return whether the registry finds it by its name and tags, as an exporter would read it
     */
    boolean finds(Meter meter) {
        return registry.find(meter.getId().getName()).tags(meter.getId().getTags()).meter() != null;
    }

    abstract Meter gauge(String name, Tags tags, String description, SingletonReadings readings,
                         ToDoubleFunction<SingletonReadings> value);

    abstract Meter timeGauge(String name, Tags tags, String description, SingletonReadings readings,
                             ToDoubleFunction<SingletonReadings> seconds);

    abstract Meter functionCounter(String name, Tags tags, String description, SingletonReadings readings,
                                   ToDoubleFunction<SingletonReadings> count);

    abstract Timer timer(String name, Tags tags, String description);
}
