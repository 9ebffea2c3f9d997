package io.highlander.cdi.internal.election;

import io.highlander.cdi.LossReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An election's instance side whose {@code @PostConstruct} and {@code @PreDestroy} the test completes: it records
 * the terms started, and hands out each stop's two futures (when {@code @PreDestroy} began, when it returned).
 */
final class ScriptedInstances implements Instances {

    final List<Term> started = new ArrayList<>();
    final List<CompletableFuture<Void>> stopped = new ArrayList<>();
    final List<CompletableFuture<Long>> destroying = new ArrayList<>();

    @Override
    public void start(Term starting) {
        started.add(starting);
    }

    @Override
    public void warmUp() {
    }

    @Override
    public void stop(Term ended, LossReason reason, CompletableFuture<Void> done, CompletableFuture<Long> began) {
        stopped.add(done);
        destroying.add(began);
    }

    @Override
    public void reportFailure(Term running, Throwable cause) {
    }

    @Override
    public void replace(Term running) {
    }

    @Override
    public int restarts() {
        return 0;
    }

    @Override
    public void shutdown(long millis) {
    }
}
