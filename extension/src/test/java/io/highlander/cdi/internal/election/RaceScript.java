package io.highlander.cdi.internal.election;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the {@link Racer} singleton does, set by the test and shared by all nodes. */
public final class RaceScript {
    /** Counted down when a {@code @PreDestroy} began. */
    public final CountDownLatch stopBegan = new CountDownLatch(1);
    /** Holds {@code @PreDestroy} until counted down, when {@link #holdStop} is set. */
    public final CountDownLatch releaseStop = new CountDownLatch(1);
    /** Whether {@code @PreDestroy} waits for {@link #releaseStop}. */
    public volatile boolean holdStop;
    /** How long {@code @PreDestroy} takes, in milliseconds. */
    public volatile long stopMillis;
    /** Whether the next {@code @PostConstruct} throws an {@link Error}. */
    public volatile boolean nextStartThrowsError;
    /** The names of the threads that ran {@code @PostConstruct}. */
    public final Queue<String> startThreads = new ConcurrentLinkedQueue<>();

    void stopping() throws InterruptedException {
        stopBegan.countDown();
        if (holdStop) {
            releaseStop.await(30, TimeUnit.SECONDS);
        }
        if (stopMillis > 0) {
            Thread.sleep(stopMillis); // the stop's own duration is what the test is about, not a wait for a condition
        }
    }
}
