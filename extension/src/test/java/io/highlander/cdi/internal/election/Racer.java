package io.highlander.cdi.internal.election;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.testing.History;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The races tests' singleton: records its life in the shared {@link History}, behaves as the {@link RaceScript} says. */
@ApplicationScoped
@ClusterSingleton("race")
public class Racer {

    @Inject
    LeaderElector elector;
    @Inject
    History history;
    @Inject
    RaceScript script;

    @PostConstruct
    void start() {
        script.startThreads.add(Thread.currentThread().getName());
        if (script.nextStartThrowsError) {
            script.nextStartThrowsError = false;
            history.add(elector.nodeId(), "failed-start", -1);
            throw new AssertionError("racer cannot start (test)");
        }
        history.started(elector.nodeId());
    }

    @PreDestroy
    void stop() throws InterruptedException {
        script.stopping();
        history.stopped(elector.nodeId());
    }

    /** @return the node this instance runs on */
    public String node() {
        return elector.nodeId();
    }
}
