package io.highlander.cdi.internal;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Shutdown;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.interceptor.Interceptor;

/**
 * Starts the elections when the application is ready and stops them before its beans are destroyed, so
 * that observers of {@code LeadershipLost(SHUTDOWN)} still work. Registered by the extension; not for
 * applications.
 */
class NodeLifecycle {

    void applicationStarted(@Observes @Initialized(ApplicationScoped.class) Object event, HighlanderExtension extension,
                            BeanManager beanManager) {
        extension.start();
        extension.warmStop(beanManager); // while nothing waits: the first stop then finds its path linked
    }

    /**
     * CDI 4's {@link Shutdown} comes first when a container stops (Weld SE fires it before anything else, and before
     * {@code @BeforeDestroyed(ApplicationScoped.class)}); ahead of every other observer, the node's lock thread is
     * woken, so that it is ready when the singletons stop. Nothing stops here: the application may still use them.
     */
    void applicationShuttingDown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) Shutdown event,
                                 HighlanderExtension extension) {
        extension.stopExpected();
    }

    /**
     * The stop itself, at {@link Shutdown} too, after the application's own observers of it (which may still call a
     * singleton): a library's pre-shutdown work, as CDI 4 asks, and the earliest moment a stopping container gives.
     * Weld SE resolves and fires {@code @BeforeDestroyed(ApplicationScoped.class)} only after every observer of
     * {@link Shutdown}, milliseconds later on a JVM that never shut down before (issue 22). The observer below stays
     * for a container that fires no {@link Shutdown}; a second stop does nothing.
     */
    void applicationShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) Shutdown event,
                             HighlanderExtension extension) {
        extension.stop();
    }

    void applicationStopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event,
                             HighlanderExtension extension) {
        extension.stop();
    }
}
