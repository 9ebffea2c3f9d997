package io.highlander.cdi.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A registry as WildFly 39 hands a deployment (its Micrometer subsystem's registry per application): what its
 * name-based methods register goes to the server's registry, which the exporters read, and what Micrometer's
 * builders register stays in a store of its own that nothing exports. Searches look in the server's registry.
 */
final class ForwardingRegistry extends SimpleMeterRegistry {

    private final MeterRegistry server;
    private final More more = new ForwardingMore();

    /** @param server the registry the exporters read */
    ForwardingRegistry(MeterRegistry server) {
        this.server = server;
    }

    @Override
    public <T> T gauge(String name, Iterable<Tag> tags, T object, ToDoubleFunction<T> value) {
        return server.gauge(name, tags, object, value);
    }

    @Override
    public Timer timer(String name, Iterable<Tag> tags) {
        return server.timer(name, tags);
    }

    @Override
    public More more() {
        return more;
    }

    @Override
    public Search find(String name) {
        return server.find(name);
    }

    @Override
    public RequiredSearch get(String name) {
        return server.get(name);
    }

    @Override
    public Meter remove(Meter meter) {
        return server.remove(meter);
    }

    private final class ForwardingMore extends More {

        @Override
        public <T> FunctionCounter counter(String name, Iterable<Tag> tags, T object, ToDoubleFunction<T> count) {
            return server.more().counter(name, tags, object, count);
        }

        @Override
        public <T> TimeGauge timeGauge(String name, Iterable<Tag> tags, T object, TimeUnit unit,
                                       ToDoubleFunction<T> value) {
            return server.more().timeGauge(name, tags, object, unit, value);
        }
    }
}
