package io.highlander.cdi.internal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

/**
 * Starts the elections when the application is ready and stops them before its beans are destroyed, so
 * that observers of {@code LeadershipLost(SHUTDOWN)} still work. Registered by the extension; not for
 * applications.
 */
class NodeLifecycle {

    void applicationStarted(@Observes @Initialized(ApplicationScoped.class) Object event, HighlanderExtension extension) {
        extension.start();
    }

    void applicationStopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event,
                             HighlanderExtension extension) {
        extension.stop();
    }
}
