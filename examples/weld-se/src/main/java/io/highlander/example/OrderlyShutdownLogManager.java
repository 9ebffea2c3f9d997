package io.highlander.example;

import java.util.logging.LogManager;

/**
 * A {@code java.util.logging} manager that keeps its handlers open while the JVM shuts down.
 *
 * <p>The JDK's own {@link LogManager} closes every handler in a shutdown hook of its own. Shutdown hooks run
 * concurrently and in no set order, so the lines that Weld's shutdown hook causes — Highlander's
 * {@code HL-0402 … stopped leading (SHUTDOWN)}, your {@code @PreDestroy}'s — are often lost. With this manager
 * a reset during shutdown is skipped; the console and file handlers flush after every record, so nothing
 * is lost when the JVM exits. Outside shutdown, {@link #reset()} (and {@code readConfiguration}) work as usual.
 *
 * <p>Select it before anything logs: {@code -Djava.util.logging.manager=io.highlander.example.OrderlyShutdownLogManager},
 * or as the first statement of {@code main} (as {@link TickerApp#keepShutdownLogLines()} does, by name: naming
 * this class in code would load {@link LogManager} and so fix the JDK's choice of manager before it is set). A logging back end with an orderly
 * shutdown of its own (Logback, Log4j 2 through their {@code System.Logger} bridges) needs none of this.
 */
public final class OrderlyShutdownLogManager extends LogManager {

    @Override
    public void reset() {
        if (!shuttingDown()) {
            super.reset();
        }
    }

    /** The JVM refuses new shutdown hooks once shutdown has begun: the one documented way to ask. */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
