package io.highlander.example.quarkus;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * The cluster singleton: at any time it runs on one node of the cluster only. Its {@code @PostConstruct} runs
 * on the node that wins the election, its {@code @PreDestroy} when that node lets go.
 */
@ApplicationScoped
@ClusterSingleton(Ticker.NAME)
public class Ticker {

    /** The singleton's name, which is also its election's. */
    public static final String NAME = "quarkus-ticker";

    private static final System.Logger LOG = System.getLogger(Ticker.class.getName());

    @Inject
    LeaderElector elector;

    private Instant started;

    @PostConstruct
    void start() {
        started = Instant.now();
        LOG.log(System.Logger.Level.INFO, "ticker started on node " + elector.nodeId());
    }

    @PreDestroy
    void stop() {
        LOG.log(System.Logger.Level.INFO, "ticker stopped on node " + elector.nodeId());
    }

    /** @return when this node's instance started; callable only on the leader */
    public Instant started() {
        return started;
    }
}
