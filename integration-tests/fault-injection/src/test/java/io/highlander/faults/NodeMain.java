package io.highlander.faults;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.HighlanderExtension;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
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
import javax.sql.DataSource;
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
 *
 * <p>Connections come from a real pool, as in an application: a HikariCP pool of {@link #POOL_SIZE}
 * ({@code faults.jdbc.url}, {@code .user}, {@code .password}) offered as the {@link HighlanderDataSource} bean.
 * Its connections announce themselves as {@code pool:<node>} (the library renames its lock sessions
 * {@code highlander:<node>} and must name them back when it returns them). The node reports the pool's state,
 * {@code POOL <node> <pid> <active> <idle> <total> <awaiting> <micros> <cause>}, at each leadership event
 * (cause {@code acquired} or {@code lost}) and once a second (cause {@code second}), right after asking
 * {@link LeaderElector#leader} who leads — a lookup that borrows a connection when another node leads, so a
 * once-a-second sample never counts a lookup of its own.
 *
 * <p>The node ends itself when the test JVM that launched it is gone, so that no node outlives a crashed run.
 */
public final class NodeMain {

    static final String SINGLETON = "fault-worker";
    /** Connections a node holds at most, whatever the number of singletons: its node session and its watcher. */
    static final int LOCK_SESSIONS = 2;
    /** The pool's size: room for the lock sessions, a leader lookup and slack, and no more. */
    static final int POOL_SIZE = 4;
    /** The prefix of the pool's own {@code application_name}, followed by the node id. */
    static final String POOL_APPLICATION_NAME_PREFIX = "pool:";
    private static PrintStream history;
    private static HikariDataSource pool;

    private NodeMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        history = new PrintStream(new FileOutputStream(System.getProperty("faults.history"), true), true,
                StandardCharsets.UTF_8);
        endWithTheTestRun();
        String node = System.getProperty("highlander.node-id");
        pool = openPool(node);
        WeldContainer container = new Weld().disableDiscovery()
                .addBeanClasses(Worker.class, EventLog.class, Connections.class)
                .addExtension(new HighlanderExtension())
                .initialize();
        LeaderElector elector = container.select(LeaderElector.class).get();
        write("EVENT " + elector.nodeId() + " started -1 " + micros());
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "pool-reporter");
            thread.setDaemon(true);
            return thread;
        });
        reporter.scheduleWithFixedDelay(() -> {
            try {
                elector.leader(SINGLETON); // a lookup through the pool, as an application would make
            } catch (RuntimeException e) {
                // the container is going away; the sample still counts
            }
            reportPool(node, "second");
        }, 1, 1, TimeUnit.SECONDS); // from 1 s on: the library borrows one extra connection once at start (HL-0412's probe)
        Thread.currentThread().join(); // Weld's shutdown hook ends the container on SIGTERM
    }

    /**
     * A HikariCP pool as an application would configure it, small and quick to give up: a leaked slot shows
     * within a few faults. It starts even while PostgreSQL is down (a node must come up then, too).
     */
    private static HikariDataSource openPool(String node) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("pool-" + node);
        config.setJdbcUrl(System.getProperty("faults.jdbc.url"));
        config.setUsername(System.getProperty("faults.jdbc.user"));
        config.setPassword(System.getProperty("faults.jdbc.password"));
        config.addDataSourceProperty("ApplicationName", POOL_APPLICATION_NAME_PREFIX + node);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(1000);
        config.setValidationTimeout(500);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /** Writes the pool's state; safe from any thread. */
    static void reportPool(String node, String cause) {
        HikariPoolMXBean state = pool.getHikariPoolMXBean();
        write("POOL " + node + " " + ProcessHandle.current().pid() + " " + state.getActiveConnections() + " "
                + state.getIdleConnections() + " " + state.getTotalConnections() + " "
                + state.getThreadsAwaitingConnection() + " " + micros() + " " + cause);
    }

    /** Exits (gracefully: the container stops) once the JVM that launched this node has ended. */
    private static void endWithTheTestRun() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(3)));
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

    /** Writes every leadership event into the history, with the pool's state at that moment. */
    @ApplicationScoped
    public static class EventLog {
        void acquired(@Observes LeadershipAcquired event) {
            write("EVENT " + event.nodeId() + " acquired " + event.fencingToken() + " " + micros());
            reportPool(event.nodeId(), "acquired");
        }

        void lost(@Observes LeadershipLost event) {
            write("EVENT " + event.nodeId() + " lost:" + event.reason() + " " + event.fencingToken() + " " + micros());
            reportPool(event.nodeId(), "lost");
        }
    }

    /** Offers the node's pool to the library. */
    public static class Connections {
        @Produces
        @HighlanderDataSource
        DataSource dataSource() {
            return pool;
        }
    }
}
