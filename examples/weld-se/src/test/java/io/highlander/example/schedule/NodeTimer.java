package io.highlander.example.schedule;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.testing.History;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One node's timer: a {@code ScheduledExecutorService} that fires {@link Sweep} on each second of the node's clock.
 * A node whose clock is behind fires each second later in real time: {@link #start} takes that lag. Each firing is
 * recorded with whether the node led when it came.
 */
@ApplicationScoped
public class NodeTimer {

    @Inject
    Sweep sweep;
    @Inject
    LeaderElector elector;
    @Inject
    History history;

    private ScheduledExecutorService executor;

    /** @param lag how far this node's clock is behind the others' */
    public synchronized void start(Duration lag) {
        executor = Executors.newSingleThreadScheduledExecutor();
        long now = System.currentTimeMillis();
        long first = Instant.ofEpochMilli(now).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).toEpochMilli();
        executor.scheduleAtFixedRate(this::fire, first - now + lag.toMillis(), 1000, TimeUnit.MILLISECONDS);
    }

    private void fire() {
        long second = Instant.now().plusMillis(100).truncatedTo(ChronoUnit.SECONDS).getEpochSecond();
        history.add(elector.nodeId(), "fired:" + second + ":" + (elector.isLeader(Sweep.NAME) ? "leading" : "standby"),
                0);
        try {
            sweep.sweep();
        } catch (RuntimeException e) {
            history.add(elector.nodeId(), "failed:" + e.getMessage(), 0);
        }
    }

    /** Stops firing, and waits for a firing under way. */
    @PreDestroy
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
