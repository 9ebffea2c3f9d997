package io.highlander.cdi.internal.lite;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.internal.election.Elections;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Shutdown;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

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
        elections(elector).start();
    }

    void stopping(@Observes Shutdown event, LeaderElector elector) {
        elections(elector).close();
    }

    private static Elections elections(LeaderElector elector) {
        return (Elections) elector; // the extension's own @Singleton bean: not proxied
    }
}
