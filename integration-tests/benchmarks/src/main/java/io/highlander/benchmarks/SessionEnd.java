package io.highlander.benchmarks;

import io.highlander.cdi.testing.PostgresControl;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server ends the leader's session early — {@code pg_terminate_backend} of the sessions that hold its
 * advisory locks, or a fast restart of PostgreSQL — and the lease cannot cover that: a standby may take the lock
 * at once while the old instance still runs until its node notices. Each trial measures that overlap from the
 * probes' own time stamps: from the new leader's {@code UP} (first line of {@code @PostConstruct}) to the old
 * instance's {@code GONE} (last line of {@code @PreDestroy}); negative when the old instance was gone first.
 * The fault is chosen by what the server shows (the leader's role, granted advisory locks), not by the
 * library's connection names, so the trials run unchanged on any lock layer.
 */
final class SessionEnd {

    enum Fault { TERMINATE, FAST_RESTART }

    /** The samples of one fault. */
    static final class Trials {
        /** new UP → old GONE. */
        final Latency overlap = new Latency();
        /** fault → the new leader's UP (a restart: from the launch of the new postmaster). */
        final Latency newLeader = new Latency();
        /** fault → the old instance's GONE. */
        final Latency oldGone = new Latency();
        /** the smallest overlap (µs; negative: the old instance was gone before the new one began). */
        long minOverlapMicros = Long.MAX_VALUE;
        /** trials in which the new leader was the old leader's own node. */
        int sameNode;
        /** trials that did not complete (no new leader, or the old instance never went), with why. */
        final List<String> failed = new ArrayList<>();
    }

    private static final String SINGLETON = "s00";

    private final PostgresServer server;
    private final long settleMillis;
    private final long jitterMillis;
    private final java.util.Random random = new java.util.Random(20261130); // the same delays in every run

    /**
     * @param settleMillis how long to wait once the nodes' connections are steady again
     * @param jitterMillis a further random delay, uniform in [0, jitter), before each fault: without it the fault
     *     would come at the same phase of the leader's heartbeat in every trial (the trials' rhythm follows the
     *     previous hand-over, and so does the new leader's heartbeat), and a heartbeat-bound overlap would look
     *     the same, small or large, every time. The library's default heartbeat (L/5 = 2 s) is the right value.
     */
    SessionEnd(PostgresServer server, long settleMillis, long jitterMillis) {
        this.server = server;
        this.settleMillis = settleMillis;
        this.jitterMillis = jitterMillis;
    }

    /**
     * Runs the trials on a settled cluster whose nodes run {@code s00} and log in as per-node roles, until
     * {@code trials} have completed or five more have been tried; the ones that did not complete say why.
     */
    Trials run(Cluster cluster, Fault fault, int trials) throws Exception {
        Trials result = new Trials();
        PostgresControl restart = fault == Fault.FAST_RESTART ? server.control() : null;
        // a trial that could not start (nobody led, no lock held at that instant) is tried again, a few times at most
        for (int trial = 0; result.overlap.count() < trials && trial < trials + 5; trial++) {
            Optional<NodeProcess> running = Instances.runner(cluster, SINGLETON);
            if (running.isEmpty()) {
                result.failed.add("trial " + trial + ": nobody ran " + SINGLETON + " before the fault");
                Backends.awaitSteady(server, cluster, 1_000, 30_000);
                continue;
            }
            NodeProcess leader = running.get();
            Thread.sleep((long) (random.nextDouble() * jitterMillis));
            long faultAt = Clock.micros();
            long measuredFrom = faultAt;
            if (fault == Fault.TERMINATE) {
                try (Connection observer = server.connect(cluster.database())) {
                    if (Backends.terminateLockHolders(observer, PostgresServer.role(leader.slot)) == 0) {
                        result.failed.add("trial " + trial + ": " + leader + " held no advisory lock");
                        Backends.awaitSteady(server, cluster, 1_000, 30_000);
                        continue;
                    }
                }
            } else {
                restart.stop(PostgresControl.Shutdown.FAST);
                measuredFrom = restart.start();
            }
            Optional<Event> up = await(cluster, e -> e.is("UP", SINGLETON) && e.micros() >= faultAt, 60_000);
            Optional<Event> gone = await(cluster, e -> e.node() == leader && e.is("GONE", SINGLETON)
                    && e.micros() >= faultAt, 60_000);
            if (up.isPresent() && gone.isPresent()) {
                long overlap = gone.get().micros() - up.get().micros();
                result.overlap.record(overlap);
                result.minOverlapMicros = Math.min(result.minOverlapMicros, overlap);
                result.newLeader.record(up.get().micros() - measuredFrom);
                result.oldGone.record(gone.get().micros() - faultAt);
                if (up.get().node() == leader) {
                    result.sameNode++;
                }
            } else {
                result.failed.add("trial " + trial + ": " + (up.isEmpty() ? "no new leader" : "the old instance never went")
                        + " within 60 s");
            }
            Backends.awaitSteady(server, cluster, 1_000, 60_000); // the faulted node is connected again
            Thread.sleep(settleMillis);
        }
        return result;
    }

    private static Optional<Event> await(Cluster cluster, java.util.function.Predicate<Event> filter, long millis)
            throws InterruptedException {
        try {
            return Optional.of(cluster.await(filter, millis, ""));
        } catch (java.util.concurrent.TimeoutException e) {
            return Optional.empty();
        }
    }
}
