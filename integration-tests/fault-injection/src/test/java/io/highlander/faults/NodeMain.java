package io.highlander.faults;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.HighlanderExtension;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * One node process of the fault suite: Weld SE, the library, one singleton that proves it is active by
 * writing a tick every 10 ms. Settings come as system properties ({@code highlander.*}); the history goes
 * to the file named by {@code faults.history}: {@code TICK <node> <token> <micros> <instance>} (the instance
 * tells terms apart even if a token were issued twice) and
 * {@code EVENT <node> <what> <token> <micros>}; and the instance's life: {@code LIFE <node> <instance> begin|end
 * <micros>}, from the start of {@code @PostConstruct} to the end of {@code @PreDestroy} (which lasts
 * {@code faults.preDestroyMillis}, 0 by default). SIGTERM shuts the container down gracefully.
 */
public final class NodeMain {

    static final String SINGLETON = "fault-worker";
    private static PrintStream history;

    private NodeMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        history = new PrintStream(new FileOutputStream(System.getProperty("faults.history"), true), true,
                StandardCharsets.UTF_8);
        WeldContainer container = new Weld().disableDiscovery()
                .addBeanClasses(Worker.class, EventLog.class)
                .addExtension(new HighlanderExtension())
                .initialize();
        write("EVENT " + container.select(LeaderElector.class).get().nodeId() + " started -1 " + micros());
        Thread.currentThread().join(); // Weld's shutdown hook ends the container on SIGTERM
    }

    static long micros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    static synchronized void write(String line) {
        history.println(line);
    }

    /** The singleton: ticks while, and only while, this node leads. */
    @ApplicationScoped
    @ClusterSingleton(SINGLETON)
    public static class Worker {
        private static final java.util.concurrent.atomic.AtomicInteger INSTANCES = new java.util.concurrent.atomic.AtomicInteger();

        @Inject
        LeaderElector elector;
        private final String instance = ProcessHandle.current().pid() + "." + INSTANCES.incrementAndGet();
        private ScheduledExecutorService ticker;

        @PostConstruct
        void start() {
            write("LIFE " + elector.nodeId() + " " + instance + " begin " + micros());
            ticker = Executors.newSingleThreadScheduledExecutor();
            ticker.scheduleAtFixedRate(this::tick, 0, 10, TimeUnit.MILLISECONDS);
        }

        private void tick() {
            long at = micros(); // taken before the check: a tick claims only the instant leadership was verified
            try {
                long token = elector.checkLeadership(SINGLETON);
                write("TICK " + elector.nodeId() + " " + token + " " + at + " " + instance);
            } catch (NotLeaderException e) {
                // lease ran out; @PreDestroy follows
            }
        }

        @PreDestroy
        void stop() {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(1, TimeUnit.SECONDS);
                Thread.sleep(Long.getLong("faults.preDestroyMillis", 0)); // a singleton that takes a while to stop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            write("LIFE " + elector.nodeId() + " " + instance + " end " + micros());
        }
    }

    /** Writes every leadership event into the history. */
    @ApplicationScoped
    public static class EventLog {
        void acquired(@Observes LeadershipAcquired event) {
            write("EVENT " + event.nodeId() + " acquired " + event.fencingToken() + " " + micros());
        }

        void lost(@Observes LeadershipLost event) {
            write("EVENT " + event.nodeId() + " lost:" + event.reason() + " " + event.fencingToken() + " " + micros());
        }
    }
}
