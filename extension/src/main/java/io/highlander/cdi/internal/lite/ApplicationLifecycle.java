package io.highlander.cdi.internal.lite;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.internal.election.Elections;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Shutdown;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

/**
 * Starts the elections once the application is up and stops them when it shuts down, under the
 * build-compatible extension. It observes CDI 4's {@link Startup} and {@link Shutdown}: Quarkus fires them with its
 * own start-up and shut-down events, at run time, when configuration and datasources are ready, whereas its
 * {@code @Initialized(ApplicationScoped.class)} may come earlier. {@link Shutdown} comes before any bean is destroyed,
 * so observers of {@code LeadershipLost(SHUTDOWN)} still work. Registered by the extension; not for applications.
 */
@Dependent
public class ApplicationLifecycle {

    /**
     * Every cluster singleton's bean. Never read: a lookup that can reach them is what keeps ArC from removing a
     * singleton that no code injects (see {@link SingletonBean}).
     */
    @Inject
    @SingletonBean
    Instance<Object> singletons;

    void started(@Observes Startup event, LeaderElector elector) {
        Elections elections = elections(elector);
        elections.start();
        elections.warmStop(); // while nothing waits: the first stop then finds its path linked (issue 22)
    }

    /**
     * Ahead of every other observer of {@link Shutdown}: the node's lock thread is woken now, while Quarkus and the
     * application still shut down, so that the hand-over does not wait for that wake after {@code @PreDestroy}
     * (rule L5 of docs/design/election.md, as under the portable extension). Nothing stops here.
     */
    void shuttingDown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) Shutdown event,
                      LeaderElector elector) {
        elections(elector).stopExpected();
    }

    /** The stop itself, after the application's own observers of {@link Shutdown}, which may still call a singleton. */
    void stopping(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) Shutdown event, LeaderElector elector) {
        elections(elector).close();
    }

    private static Elections elections(LeaderElector elector) {
        return (Elections) elector; // the extension's own @Singleton bean: not proxied
    }
}
