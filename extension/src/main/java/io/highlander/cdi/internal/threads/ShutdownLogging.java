package io.highlander.cdi.internal.threads;

import java.time.Duration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Keeps the lines of a graceful stop under the JDK's own {@code java.util.logging}.
 *
 * <p>The JDK's {@link LogManager} closes and removes every handler in a shutdown hook of its own. Shutdown hooks run
 * concurrently and in no set order, so what the container's shutdown hook makes us and the application log
 * (HL-0402 "stopped leading (SHUTDOWN)", the singleton's {@code @PreDestroy}) went nowhere. So, when the node stops
 * while the JVM shuts down, this waits (briefly) for that hook to finish and puts back the root handlers it took
 * away. A {@code ConsoleHandler} only flushes when closed and so writes again; a closed file handler stays
 * silent. Nothing happens under any other log manager (application servers, Quarkus, a logging back end with an
 * orderly shutdown of its own) or outside a JVM shutdown.
 */
public final class ShutdownLogging {

    /** The JDK's hook that resets logging at shutdown: a thread of this class. */
    private static final String JDK_LOG_MANAGER_CLEANER = "java.util.logging.LogManager$Cleaner";
    /** Its reset takes microseconds; a bound keeps a stop from waiting on a hook that hangs. */
    private static final Duration CLEANER_WAIT = Duration.ofSeconds(1);

    private final List<Handler> rootHandlers;

    private ShutdownLogging(List<Handler> rootHandlers) {
        this.rootHandlers = rootHandlers;
    }

    /**
     * Notes the root logger's handlers while logging is still set up (at the application's start).
     *
     * @return what to put back at shutdown; nothing unless the JDK's own log manager is in use
     */
    public static ShutdownLogging capture() {
        if (LogManager.getLogManager().getClass() != LogManager.class) {
            return new ShutdownLogging(List.of());
        }
        return new ShutdownLogging(List.of(Logger.getLogger("").getHandlers()));
    }

    /**
     * Before the node stops: if the JVM is shutting down, lets the JDK's logging reset finish and gives the root
     * logger its handlers back, so that the stop's lines are written.
     */
    public void keepHandlersDuringShutdown() {
        if (rootHandlers.isEmpty() || !jvmShuttingDown()) {
            return;
        }
        awaitLogManagerReset();
        Logger root = Logger.getLogger("");
        if (root.getHandlers().length == 0) {
            for (Handler handler : rootHandlers) { // no lambda: a first one links its class, on the stop's path
                root.addHandler(handler);
            }
        }
    }

    private static void awaitLogManagerReset() {
        // the live threads without their stacks: Thread.getAllStackTraces() stops the JVM at a safepoint and walks
        // every thread's stack, which cost milliseconds right where a graceful hand-over waits (issue 22)
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] live = new Thread[root.activeCount() * 2 + 16]; // room for threads started meanwhile
        int count = root.enumerate(live, true);
        for (Thread thread : java.util.Arrays.copyOf(live, count)) {
            if (thread.getClass().getName().equals(JDK_LOG_MANAGER_CLEANER)) {
                try {
                    thread.join(CLEANER_WAIT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The JVM refuses new shutdown hooks once its shutdown has begun: the one documented way to ask. */
    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(); // never started; no lambda to link on the stop's path
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
