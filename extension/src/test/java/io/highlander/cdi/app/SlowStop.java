package io.highlander.cdi.app;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.testing.History;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A cluster singleton whose {@code @PreDestroy} does not return until the test opens {@link #GATE} (at most a
 * minute): records {@code start slow-stop}, {@code stopping slow-stop} when its {@code @PreDestroy} begins, and
 * {@code stop slow-stop} when it returns.
 */
@ApplicationScoped
@ClusterSingleton("slow-stop")
public class SlowStop {

    /** Opened by the test; each test that uses this class replaces it first ({@link #closeGate()}). */
    public static volatile CountDownLatch gate = new CountDownLatch(0);

    @Inject
    LeaderElector elector;
    @Inject
    History history;

    /** Makes every later {@code @PreDestroy} wait until {@link #openGate()}. */
    public static void closeGate() {
        gate = new CountDownLatch(1);
    }

    /** Lets every waiting {@code @PreDestroy} return. */
    public static void openGate() {
        gate.countDown();
    }

    @PostConstruct
    void start() {
        history.add(elector.nodeId(), "start slow-stop", -1);
    }

    @PreDestroy
    void stop() throws InterruptedException {
        history.add(elector.nodeId(), "stopping slow-stop", -1);
        gate.await(1, TimeUnit.MINUTES);
        history.add(elector.nodeId(), "stop slow-stop", -1);
    }
}
