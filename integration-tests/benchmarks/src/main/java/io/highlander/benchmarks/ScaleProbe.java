package io.highlander.benchmarks;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The base of the large scale part's singletons ({@link ScaleProbes}): like {@link Probes.Probe}, but several nodes
 * share a JVM there, so each line also names the node (the container's own {@link LeaderElector}):
 * {@code UP <name> <epochMicros> <node>} as the first thing {@code @PostConstruct} does, {@code GONE <name>
 * <epochMicros> <node>} as the last thing {@code @PreDestroy} does.
 */
abstract class ScaleProbe {

    @Inject
    LeaderElector elector;

    @PostConstruct
    void up() {
        long now = Clock.micros();
        System.out.println("UP " + name() + " " + now + " " + elector.nodeId());
    }

    @PreDestroy
    void down() {
        System.out.println("GONE " + name() + " " + Clock.micros() + " " + elector.nodeId());
    }

    private String name() {
        for (Class<?> type = getClass(); type != null; type = type.getSuperclass()) {
            ClusterSingleton singleton = type.getAnnotation(ClusterSingleton.class);
            if (singleton != null) {
                return singleton.value();
            }
        }
        return "?";
    }
}
