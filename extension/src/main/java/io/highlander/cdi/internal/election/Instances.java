package io.highlander.cdi.internal.election;

import io.highlander.cdi.LossReason;
import java.util.concurrent.CompletableFuture;

/**
 * The singleton's instance on this node, as its {@link Election} sees it: where {@code @PostConstruct} and
 * {@code @PreDestroy} run, off the node loop. {@link InstanceLifecycle} runs them on the singleton's lane of
 * the node's lifecycle pool; a simulation completes them when its script says so.
 */
public interface Instances {

    /** @param starting a term that began: create its instance (then {@link Election#serve}) */
    void start(Term starting);

    /** Once, when the election first stands by: prepare what a takeover needs, while nothing is at stake. */
    void warmUp();

    /**
     * @param ended   a term that ended: destroy its instance and fire {@code LeadershipLost}
     * @param reason  why it ended
     * @param stopped to complete once the instance is destroyed (the node loop then lets the lock go)
     * @param began   to complete with the ticker's reading when {@code @PreDestroy} begins: a late stop is
     *                reported only if it is late from there (a frozen JVM is not a slow {@code @PreDestroy})
     */
    void stop(Term ended, LossReason reason, CompletableFuture<Void> stopped, CompletableFuture<Long> began);

    /**
     * @param running the running term
     * @param cause   what its instance threw
     */
    void reportFailure(Term running, Throwable cause);

    /** @param running the running term, whose instance the application destroyed: create a new one */
    void replace(Term running);

    /** @return how often the instance was restarted after a failure */
    int restarts();

    /** @param millis how long to wait for queued work before giving up */
    void shutdown(long millis);
}
