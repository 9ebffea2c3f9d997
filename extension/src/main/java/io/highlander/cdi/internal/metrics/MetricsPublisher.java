package io.highlander.cdi.internal.metrics;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.internal.Messages;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Shutdown;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes the node's meters once the application is up (CDI's {@link Startup}: Quarkus fires it when its
 * datasources are ready, and its {@code @Initialized(ApplicationScoped.class)} may come before), to each metrics
 * library the application has, and takes them back when it stops. Elections may begin before: the tally keeps
 * what it saw until then ({@link LeadershipTally#onTakeover}). Nothing here names a class of Micrometer or
 * OpenTelemetry in a signature: those are touched only after {@link #present} found them, so the library runs
 * without either.
 *
 * <ul>
 *   <li>Micrometer: the application's {@code MeterRegistry} bean (Quarkus makes one), else Micrometer's global
 *       registry;</li>
 *   <li>OpenTelemetry: the application's {@code OpenTelemetry} bean (MicroProfile Telemetry makes one), else
 *       {@code GlobalOpenTelemetry} if the application or the Java agent set it.</li>
 * </ul>
 */
@Singleton
public class MetricsPublisher {

    private static final System.Logger LOG = System.getLogger(MetricsPublisher.class.getName());
    static final String MICROMETER = "io.micrometer.core.instrument.MeterRegistry";
    static final String OPEN_TELEMETRY = "io.opentelemetry.api.OpenTelemetry";

    private final List<AutoCloseable> published = new ArrayList<>();

    @Inject
    LeaderElector elector;
    @Inject
    LeadershipTally tally;
    /** Also what keeps the node's tally, which the node's set-up looks up by type, from being removed as unused. */
    @Inject
    NodeTally nodeTally;
    @Inject
    @Any
    Instance<Object> beans;

    void publish(@Observes Startup event) {
        SingletonReadings readings = new SingletonReadings(elector, tally, nodeTally);
        if (readings.singletons().isEmpty()) {
            return;
        }
        if (present(MICROMETER)) {
            publishTo("Micrometer", () -> MicrometerMeters.publish(beans, readings));
        }
        if (present(OPEN_TELEMETRY)) {
            publishTo("OpenTelemetry", () -> OpenTelemetryMeters.publish(beans, readings));
        }
    }

    private synchronized void publishTo(String library, java.util.function.Supplier<AutoCloseable> bridge) {
        try {
            published.add(bridge.get());
        } catch (RuntimeException | LinkageError e) {
            // metrics are a view: a registry that refuses them must not keep the node from running
            LOG.log(System.Logger.Level.WARNING, () -> Messages.metricsNotPublished(library, e.toString()));
        }
    }

    void withdraw(@Observes Shutdown event) {
        close();
    }

    @PreDestroy
    synchronized void close() {
        for (AutoCloseable meters : published) {
            try {
                meters.close();
            } catch (Exception e) {
                // gone with the registry
            }
        }
        published.clear();
    }

    /**
     * @param className a class of a metrics library's API
     * @return whether the application can load it
     */
    static boolean present(String className) {
        try {
            Class.forName(className, false, MetricsPublisher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
