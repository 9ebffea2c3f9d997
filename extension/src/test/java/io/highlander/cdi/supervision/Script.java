package io.highlander.cdi.supervision;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** What the test singleton does, set by the test and shared by all nodes. */
public final class Script {
    /** How many more starts fail; negative: every start fails. */
    public final AtomicInteger failingStarts = new AtomicInteger();
    /** Holds {@code @PreDestroy} until counted down, when {@link #hangOnStop} is set. */
    public final CountDownLatch releaseStop = new CountDownLatch(1);
    /** Whether the next start throws an {@link Error} rather than a {@code RuntimeException}. */
    public volatile boolean nextStartThrowsError;
    /** The names of the threads that ran {@code @PostConstruct}. */
    public final Queue<String> startThreads = new ConcurrentLinkedQueue<>();
    /** Whether {@code @PreDestroy} waits for {@link #releaseStop}. */
    public volatile boolean hangOnStop;
    /** @return whether the next start fails, counting it */
    public boolean nextStartFails() {
        while (true) {
            int remaining = failingStarts.get();
            if (remaining <= 0) {
                return remaining < 0;
            }
            if (failingStarts.compareAndSet(remaining, remaining - 1)) {
                return true;
            }
        }
    }

    /** Instances created so far. */
    public final AtomicInteger instances = new AtomicInteger();
}
