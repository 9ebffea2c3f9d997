package io.highlander.cdi.supervision;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.testing.History;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A singleton whose starts fail or whose stop hangs, as the {@link Script} says. */
@ApplicationScoped
@ClusterSingleton("worker")
public class Worker {

    @Inject
    Script script;
    @Inject
    History history;
    @Inject
    LeaderElector elector;

    private int instance;

    @PostConstruct
    void start() {
        script.startThreads.add(Thread.currentThread().getName());
        if (script.nextStartThrowsError) {
            script.nextStartThrowsError = false;
            history.add(elector.nodeId(), "failed-start", -1);
            throw new AssertionError("worker cannot start (test)");
        }
        if (script.nextStartFails()) {
            history.add(elector.nodeId(), "failed-start", -1);
            throw new IllegalStateException("worker cannot start (test)");
        }
        instance = script.instances.incrementAndGet();
        history.started(elector.nodeId());
    }

    @PreDestroy
    void stop() throws InterruptedException {
        if (script.hangOnStop) {
            script.releaseStop.await();
        }
        history.stopped(elector.nodeId());
    }

    /** @return which instance this is */
    public int instance() {
        return instance;
    }
}
