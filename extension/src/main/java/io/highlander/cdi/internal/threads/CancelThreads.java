package io.highlander.cdi.internal.threads;

import java.util.concurrent.Executor;

/**
 * Where the driver's own waits run off the caller's thread: a statement's cancel request and the abandon of its
 * connection after a deadline ({@code highlander-cancel}), and each host's connect of a raced multi-host URL
 * ({@code highlander-connect}). A short-lived daemon thread each, never the caller's, because each waits up to one of
 * the driver's timeouts on a silent server ({@code cancelSignalTimeout}, {@code connectTimeout},
 * {@code socketTimeout}). They are rare (a wake of the watcher, a statement past its deadline, a reconnect), so a
 * thread each costs less than a pool that would sit idle. Kept out of the statement path so that the class that
 * sends SQL starts no thread itself.
 *
 * <p>These threads are deliberately not the container's ({@link LifecycleThreads}): see this package's javadoc for
 * why that is safe, and what keeps it so.
 */
public final class CancelThreads {

    /** Runs each task on a new daemon thread named {@code highlander-cancel}. */
    public static final Executor EACH_ON_ITS_OWN = named("highlander-cancel");

    /** Runs each task on a new daemon thread named {@code highlander-connect}: one host's connect of a race. */
    public static final Executor CONNECTS = named("highlander-connect");

    private CancelThreads() {
    }

    private static Executor named(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            // the creator's context class loader may be an application's: this thread runs only driver code, and must
            // not keep an undeployed application's loader reachable while it waits out a timeout
            thread.setContextClassLoader(CancelThreads.class.getClassLoader());
            thread.start();
        };
    }
}
