package io.highlander.cdi.app;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.testing.History;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;

/** The test application's cluster singleton: records when it starts and stops on which node. */
@ApplicationScoped
@ClusterSingleton("ticker")
public class Ticker {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    @Inject
    LeaderElector elector;
    @Inject
    History history;

    private int instance;

    @PostConstruct
    void start() {
        instance = INSTANCES.incrementAndGet();
        history.started(elector.nodeId());
    }

    @PreDestroy
    void stop() {
        history.stopped(elector.nodeId());
    }

    /** @return the node this instance runs on */
    public String node() {
        return elector.nodeId();
    }

    /** @return a number that differs for every instance ever created in this JVM */
    public int instance() {
        return instance;
    }
}
