package io.highlander.example;

import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.se.SeContainerInitializer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A plain Java application with one cluster singleton, the {@link Ticker}. Start it on several machines (or
 * several times on one) against the same PostgreSQL database: exactly one of them ticks.
 *
 * <pre>
 * java -Dhighlander.node-id=a -cp 'target/highlander-demo.jar' io.highlander.example.TickerApp jdbc:postgresql://localhost/app
 * </pre>
 *
 * The JDBC URL is the argument, else {@code highlander.datasource.url} (system property) or
 * {@code HIGHLANDER_DATASOURCE_URL} (environment); user and password likewise ({@code HIGHLANDER_DATASOURCE_PASSWORD}
 * keeps the password off the command line). Every other setting is in {@link io.highlander.cdi.HighlanderSettings}.
 */
public final class TickerApp {

    /**
     * Held, because {@code java.util.logging} keeps loggers (and with them their level) only weakly; see
     * {@link #quietDriverNoise()}.
     */
    private static java.util.logging.Logger driverConnectLog;

    private TickerApp() {
    }

    /**
     * While PostgreSQL crashes or restarts, pgjdbc logs a 27-line WARNING ("Failed to closed stream with error")
     * for every failed connection attempt, on the logger {@code org.postgresql.core.ConnectionFactory}, which logs
     * nothing else. Highlander says what happens itself (HL-0403, then HL-0401 when a node leads again), so the
     * example keeps the driver's line out unless the logging configuration set a level for that logger: the same as
     * {@code org.postgresql.core.ConnectionFactory.level = SEVERE} in a {@code logging.properties}.
     */
    public static void quietDriverNoise() {
        driverConnectLog = java.util.logging.Logger.getLogger("org.postgresql.core.ConnectionFactory");
        if (driverConnectLog.getLevel() == null) {
            driverConnectLog.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    /**
     * Selects a one-line log format with milliseconds unless the command line chose one: the JDK's default
     * takes two lines per record and shows whole seconds, too coarse to read a failover from. Must run before
     * anything logs.
     */
    public static void oneLineLogs() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n");
        }
    }

    public static void main(String[] args) throws InterruptedException {
        oneLineLogs();
        quietDriverNoise();
        if (args.length > 0) {
            System.setProperty("highlander.datasource.url", args[0]);
        }
        SeContainer container;
        try {
            // Discovers the beans of this jar (META-INF/beans.xml) and Highlander's extension (a service
            // entry in its jar). A misconfiguration (bad URL, wrong password, not PostgreSQL) fails here.
            container = SeContainerInitializer.newInstance().initialize();
        } catch (RuntimeException e) {
            // Highlander's problems are the message, one HL-xxxx line each: no stack trace needed
            System.err.println("cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        container.select(Report.class).get().print("ready", "pid=" + ProcessHandle.current().pid());
        // The application's own scheduler fires on every node; @LeaderOnly lets the leader's beats through only.
        // Highlander starts the Ticker when this node wins the lock. Ctrl-C or SIGTERM runs Weld's shutdown hook,
        // which stops the Ticker and releases the lock at once.
        Metronome metronome = container.select(Metronome.class).get();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(work -> {
            Thread thread = new Thread(work, "metronome");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleAtFixedRate(() -> {
            try {
                metronome.beat();
            } catch (RuntimeException e) {
                if (container.isRunning()) { // else the application is stopping: nothing to say
                    System.err.println("beat failed: " + e); // and keep beating: an exception would end the schedule
                }
            }
        }, 0, Long.getLong(Ticker.PERIOD_PROPERTY, 1000), TimeUnit.MILLISECONDS);
        new CountDownLatch(1).await();
    }
}
