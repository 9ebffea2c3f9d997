package io.highlander.cdi.fleet;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.testing.History;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * What every singleton of a {@link ManyFleet} does: records {@code start <name>} and {@code stop <name>} in the shared
 * {@link History}, its name read from its class's {@code @ClusterSingleton}.
 */
public abstract class Numbered {

    @Inject
    LeaderElector elector;
    @Inject
    History history;

    /** For the generated subclasses (Weld's client proxy needs a no-argument constructor). */
    protected Numbered() {
    }

    @PostConstruct
    void start() {
        history.add(elector.nodeId(), "start " + name(), -1);
    }

    @PreDestroy
    void stop() {
        history.add(elector.nodeId(), "stop " + name(), -1);
    }

    private String name() {
        for (Class<?> type = getClass(); type != null; type = type.getSuperclass()) {
            ClusterSingleton singleton = type.getAnnotation(ClusterSingleton.class);
            if (singleton != null) {
                return singleton.value();
            }
        }
        throw new IllegalStateException(getClass() + " has no @ClusterSingleton");
    }
}
