package io.highlander.faults;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.internal.HighlanderExtension;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A node process of the fault suite that runs a scheduled {@code @LeaderOnly} + {@code @RunOnce} job, as a
 * {@code @Scheduled} method would: its own timer fires at every period's start ({@value #PERIOD_MILLIS} ms, counted
 * from the epoch) plus this node's clock skew ({@code faults.runonce.skewMillis}: a node whose timer is late, or
 * whose clock is behind), and passes the period's start as the scheduled instant. With
 * {@code faults.runonce=off} it calls the same job without {@code @RunOnce} (only {@code @LeaderOnly}), to show
 * what the test reports when the guarantee is missing.
 *
 * <p>It writes into {@code faults.history}: {@code FIRE <node> <instant ms> <µs>} as the timer fires,
 * {@code RAN <node> <instant ms> <token> <µs>} as the job's body runs, and the suite's {@code EVENT <node> <what>
 * <token> <µs>} lines ({@code started}, {@code acquired}, {@code lost:<reason>}) that {@link FaultCluster} reads.
 * A stdin line {@code stepdown <hold-off ms>} steps this node down. It ends itself when the test JVM is gone.
 */
public final class RunOnceNodeMain {

    static final String ELECTION = "fault-runonce";
    static final long PERIOD_MILLIS = 1_000;
    /** The misfire grace the job sets: a firing on a node that does not lead waits this long for it to lead. */
    static final long GRACE_MILLIS = 600;

    private static PrintStream history;

    private RunOnceNodeMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        history = new PrintStream(new FileOutputStream(System.getProperty("faults.history"), true), true,
                StandardCharsets.UTF_8);
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(3)));
        WeldContainer container = new Weld().disableDiscovery()
                .addBeanClasses(Job.class, EventLog.class, Connections.class)
                .addExtension(new HighlanderExtension())
                .initialize();
        LeaderElector elector = container.select(LeaderElector.class).get();
        Job job = container.select(Job.class).get();
        boolean runOnce = !"off".equals(System.getProperty("faults.runonce"));
        long skew = Long.getLong("faults.runonce.skewMillis", 0);
        Thread timer = new Thread(() -> fireForever(job, runOnce, skew), "runonce-timer");
        timer.setDaemon(true);
        timer.start();
        write("EVENT " + elector.nodeId() + " started -1 " + NodeMain.micros());
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = commands.readLine(); line != null; line = commands.readLine()) {
            if (line.startsWith("stepdown ")) {
                elector.stepDown(ELECTION, Duration.ofMillis(Long.parseLong(line.substring("stepdown ".length()).trim())));
            }
        }
        Thread.currentThread().join(); // stdin closed: run on until a signal; Weld's shutdown hook ends the container
    }

    /**
     * The node's timer: one firing per period, at its start plus the skew. A JVM frozen past a firing fires the
     * instant it was waiting for once it resumes (late, as a timer does), then goes on from the current period.
     */
    private static void fireForever(Job job, boolean runOnce, long skewMillis) {
        while (true) {
            long now = System.currentTimeMillis();
            long instant = Math.floorDiv(now - skewMillis, PERIOD_MILLIS) * PERIOD_MILLIS + PERIOD_MILLIS;
            long remaining = instant + skewMillis - System.currentTimeMillis();
            try {
                if (remaining > 0) {
                    Thread.sleep(remaining); // the timer's own wait, as a scheduler's
                }
            } catch (InterruptedException e) {
                return;
            }
            write("FIRE " + node() + " " + instant + " " + NodeMain.micros());
            try {
                if (runOnce) {
                    job.once(Instant.ofEpochMilli(instant));
                } else {
                    job.leaderOnly(Instant.ofEpochMilli(instant));
                }
            } catch (RuntimeException e) {
                write("ERROR " + node() + " " + instant + " " + e.toString().replace(' ', '_') + " " + NodeMain.micros());
            }
        }
    }

    static String node() {
        return System.getProperty("highlander.node-id");
    }

    static synchronized void write(String line) {
        history.println(line);
    }

    /** The scheduled job, in the two forms the test compares. */
    @ApplicationScoped
    public static class Job {
        @Inject
        @OfSingleton(ELECTION)
        Leadership leadership;

        /** The guarded form: each instant at most once, a missed one run by the new leader within the grace. */
        @LeaderOnly(ELECTION)
        @RunOnce(every = "PT1S", misfireGrace = "PT0.6S")
        public void once(Instant scheduled) {
            ran(scheduled);
        }

        /** The same job with {@code @LeaderOnly} alone: what the test must catch. */
        @LeaderOnly(ELECTION)
        public void leaderOnly(Instant scheduled) {
            ran(scheduled);
        }

        private void ran(Instant scheduled) {
            long token;
            try {
                token = leadership.fencingToken();
            } catch (NotLeaderException e) {
                token = -1; // the term ended while the body ran: still a run
            }
            write("RAN " + node() + " " + scheduled.toEpochMilli() + " " + token + " " + NodeMain.micros());
        }
    }

    /** Writes every leadership event into the history. */
    @ApplicationScoped
    public static class EventLog {
        void acquired(@Observes LeadershipAcquired event) {
            write("EVENT " + event.nodeId() + " acquired " + event.fencingToken() + " " + NodeMain.micros());
        }

        void lost(@Observes LeadershipLost event) {
            write("EVENT " + event.nodeId() + " lost:" + event.reason() + " " + event.fencingToken() + " "
                    + NodeMain.micros());
        }
    }

    /** The library's connections (its node session, its watcher, the run ledger's): straight to the server. */
    public static class Connections {
        @Produces
        @HighlanderDataSource
        DataSource dataSource() {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(System.getProperty("faults.jdbc.url"));
            dataSource.setUser(System.getProperty("faults.jdbc.user"));
            dataSource.setPassword(System.getProperty("faults.jdbc.password"));
            return dataSource;
        }
    }
}
