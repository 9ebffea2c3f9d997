package io.highlander.cdi.internal.threads;

import java.util.concurrent.Executor;

/**
 * Where a statement's cancel request, and the abandon of its connection after a deadline, run: a short-lived daemon
 * thread each, never the caller's, because a cancel request to a silent server waits up to the driver's
 * {@code cancelSignalTimeout}. They are rare (a wake of the watcher, a statement past its deadline), so a thread each
 * costs less than a pool that would sit idle. Kept out of the statement path so that the class that sends SQL starts
 * no thread itself.
 */
public final class CancelThreads {

    /** Runs each task on a new daemon thread named {@code highlander-cancel}. */
    public static final Executor EACH_ON_ITS_OWN = task -> {
        Thread thread = new Thread(task, "highlander-cancel");
        thread.setDaemon(true);
        thread.start();
    };

    private CancelThreads() {
    }
}
