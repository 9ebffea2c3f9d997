package io.highlander.example.schedule;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.testing.History;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;

/**
 * The application's job: once a second, cluster-wide, each second once. Its instant comes from the node's clock
 * (no parameter), as for an EJB timer. At the second {@link HandOver} names, the leader runs it and then steps
 * down: a hand-over forced right at the instant.
 */
@ApplicationScoped
public class Sweep {

    /** The election. */
    public static final String NAME = "sweep";

    @Inject
    LeaderElector elector;
    @Inject
    @OfSingleton(NAME)
    Leadership leadership;
    @Inject
    History history;
    @Inject
    HandOver handOver;

    /** Runs on the leader, once per second. */
    @LeaderOnly(NAME)
    @RunOnce(every = "PT1S")
    public void sweep() {
        // the second @RunOnce names: a firing up to a tenth of a period early still belongs to it
        Instant second = Instant.now().plusMillis(100).truncatedTo(ChronoUnit.SECONDS);
        history.add(elector.nodeId(), "ran:" + second.getEpochSecond(), leadership.fencingToken());
        if (second.equals(handOver.at())) {
            // on another thread: the step-down is the election's business, not this firing's
            CompletableFuture.runAsync(() -> elector.stepDown(NAME, Duration.ofSeconds(30)));
        }
    }
}
