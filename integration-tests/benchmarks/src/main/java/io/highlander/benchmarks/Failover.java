package io.highlander.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Failover trials: a cluster of node processes, one singleton; each trial faults the leader (SIGTERM,
 * SIGKILL or SIGSTOP), records the fault instant just before the signal, and waits for another node's
 * {@code UP}. The same loop runs the raw JDBC floor nodes ({@link RawNodeMain}).
 */
final class Failover {

    enum Fault { TERM, KILL, STOP, STEPDOWN }

    /** The samples of one scenario: the total, and each step of the hand-over. */
    static final class Trials {
        final Latency total = new Latency();
        final Map<String, Latency> steps = new LinkedHashMap<>();

        void step(String name, long micros) {
            steps.computeIfAbsent(name, key -> new Latency()).record(micros);
        }
    }

    /**
     * The step-down's hold-off. {@code stepDown(name)} (no hold-off) lets the node compete again at once: on a
     * layer whose standbys queue in {@code pg_advisory_lock} a waiter gets the lock first, but on issue 11's node
     * session the stepping node's own try follows its unlock within a millisecond, before any other node has heard
     * the {@code released} notice, and takes the singleton back (the first quick run's F10 trial timed out
     * waiting for another node's UP). A hold-off makes the row measure a hand-over to another warm JVM on both
     * layers.
     * {@code -Dbench.stepdown.holdOffMillis=0} shows the take-back: F10's first trial times out.
     */
    static final long STEP_DOWN_HOLD_OFF_MILLIS = Long.getLong("bench.stepdown.holdOffMillis", 1_000);

    private final PostgresServer server;
    private final Path logDir;
    private final long settleMillis;
    private final boolean quick;

    Failover(PostgresServer server, Path logDir, long settleMillis, boolean quick) {
        this.quick = quick;
        this.server = server;
        this.logDir = logDir;
        this.settleMillis = settleMillis;
    }

    /** The floor at the connection level: two connections of this JVM; one unlocks, the other waits. */
    Latency connectionFloor(int trials) throws Exception {
        String database = server.newDatabase("floor");
        Latency latency = new Latency();
        try (Connection holder = server.connect(database); Connection waiter = server.connect(database);
             Connection observer = server.connect(database)) {
            int waiterPid = pid(waiter);
            for (int i = 0; i < trials; i++) {
                lock(holder, "SELECT pg_advisory_lock(1, 1)");
                AtomicLong acquiredAt = new AtomicLong();
                Thread wait = new Thread(() -> {
                    try {
                        lock(waiter, "SELECT pg_advisory_lock(1, 1)");
                        acquiredAt.set(Clock.micros());
                        lock(waiter, "SELECT pg_advisory_unlock(1, 1)");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, "floor-waiter");
                wait.start();
                awaitLockWait(observer, waiterPid);
                long unlockAt = Clock.micros();
                lock(holder, "SELECT pg_advisory_unlock(1, 1)");
                wait.join(10_000);
                latency.record(acquiredAt.get() - unlockAt);
            }
        }
        return latency;
    }

    /**
     * @param main       {@link NodeMain} or {@link RawNodeMain}
     * @param properties the nodes' system properties (highlander settings)
     * @param waiters    application_name prefix of the nodes' sessions, to wait until they are settled
     *                   ({@link Cluster#awaitSettled}), or null (standbys that do not wait on the server)
     */
    Trials run(String label, Class<?> main, Map<String, String> properties, Fault fault, int trials,
               String waiters, long leaseMicros, long timeoutMillis) throws Exception {
        // quick runs start one spare node per trial instead of restarting the faulted one (JVM start-ups are slow)
        boolean restart = !quick || fault == Fault.STOP || fault == Fault.STEPDOWN;
        int nodeCount = restart ? 3 : trials + 1;
        String singleton = main == RawNodeMain.class ? "raw" : "s00";
        Trials result = new Trials();
        try (Cluster cluster = new Cluster(server, server.newDatabase(label), logDir, main, properties, false)) {
            for (int slot = 1; slot <= nodeCount; slot++) {
                cluster.start(slot);
            }
            cluster.await(e -> e.is("UP", singleton), 60_000, "a first leader");
            for (NodeProcess node : cluster.nodes()) {
                cluster.await(e -> e.node() == node && e.is("READY", null), 60_000, "READY of " + node);
            }
            settle(cluster, waiters);
            for (int trial = 0; trial < trials; trial++) {
                NodeProcess leader = cluster.leaderOf(singleton).orElseThrow(() -> new IllegalStateException("no leader"));
                long faultAt = Clock.micros();
                switch (fault) {
                    case TERM -> leader.term();
                    case KILL -> leader.kill();
                    case STOP -> leader.signal("STOP");
                    case STEPDOWN -> leader.send("stepdown " + singleton + " " + STEP_DOWN_HOLD_OFF_MILLIS);
                }
                Event up = cluster.await(e -> e.is("UP", singleton) && e.node() != leader && e.micros() >= faultAt,
                        timeoutMillis, "a new leader after " + fault + " of " + leader);
                result.total.record(up.micros() - faultAt);
                if (fault == Fault.STEPDOWN) {
                    cluster.await(releaseOf(cluster, leader, faultAt), 10_000, "the unlock of " + leader);
                    steps(cluster, result, fault, leader, up, faultAt, leaseMicros);
                    // the next trial's leader steps down too: its hand-over must not find this node still holding
                    // off (a quick run's trials come faster than the hold-off: one waited 480 ms for it)
                    Thread.sleep(Math.max(0, STEP_DOWN_HOLD_OFF_MILLIS - (Clock.micros() - faultAt) / 1_000 + 50));
                } else if (fault == Fault.STOP) {
                    leader.signal("CONT");
                    cluster.await(e -> e.node() == leader && e.is("LOST", singleton) && e.micros() >= faultAt,
                            timeoutMillis, "the frozen leader " + leader + " to notice its lease ran out");
                    steps(cluster, result, fault, leader, up, faultAt, leaseMicros);
                } else {
                    if (!leader.awaitExit(15_000)) {
                        leader.kill();
                    }
                    if (fault == Fault.TERM) { // its last lines (the unlock's) may come after the new leader's UP
                        try {
                            cluster.await(releaseOf(cluster, leader, faultAt), 2_000, "");
                        } catch (java.util.concurrent.TimeoutException e) {
                            // no trace of the unlock: that step is not recorded for this trial
                        }
                    }
                    steps(cluster, result, fault, leader, up, faultAt, leaseMicros);
                    cluster.remove(leader);
                    if (restart) {
                        NodeProcess replacement = cluster.start(leader.slot);
                        cluster.await(e -> e.node() == replacement && e.is("READY", null), 60_000, "READY of " + replacement);
                    }
                }
                settle(cluster, waiters);
            }
        }
        return result;
    }

    /**
     * Splits a hand-over into steps from the nodes' JDBC trace ({@link TracingDataSource}), on either lock layer:
     * <ul>
     *   <li>one lock session per singleton: the standby's blocking {@code LOCK} (or a polling {@code TRY}) returns,
     *       then a second round trip reads the fencing token ({@code TOKEN});</li>
     *   <li>issue 11's node session: the standby waits in no lock; a {@code released} notice (sent by the old
     *       leader's {@code UNLOCK} statement) or a {@code gone} notice (sent by a watcher's {@code WATCH} when its
     *       shared wait on the dead node's liveness lock is granted) wakes it, and one {@code TRYALL} statement
     *       takes every free lock it wants and reads the token.</li>
     * </ul>
     */
    private void steps(Cluster cluster, Trials result, Fault fault, NodeProcess leader, Event up, long faultAt,
                       long leaseMicros) {
        NodeProcess next = up.node();
        // the statement that won the lock: the last LOCK, or successful TRY/TRYALL, that returned before UP
        Optional<Event> won = last(cluster.events(e -> e.node() == next && e.kind().equals("Q") && e.ok()
                && List.of("LOCK", "TRY", "TRYALL").contains(e.name()) && e.endMicros() <= up.micros()));
        boolean nodeSession = won.isPresent() && won.get().name().equals("TRYALL");
        String lockReturns = nodeSession ? "winning try returns" : "waiter's lock returns";
        Optional<Event> token = last(cluster.events(e -> e.node() == next && e.is("Q", "TOKEN")
                && e.endMicros() <= up.micros() && e.micros() >= faultAt));
        Optional<Event> unlock = cluster.events(releaseOf(cluster, leader, faultAt)).stream()
                .min(Comparator.comparingLong(Event::micros));
        // a watcher (any node but the faulted one) granted the dead session's liveness lock: the gone notice
        Optional<Event> watch = won.isEmpty() ? Optional.empty() : cluster.events(e -> e.node() != leader
                        && e.is("Q", "WATCH") && e.ok() && e.micros() < won.get().micros()
                        && e.endMicros() >= faultAt && e.endMicros() <= won.get().micros()).stream()
                .min(Comparator.comparingLong(Event::endMicros));
        if ((fault == Fault.TERM || fault == Fault.STEPDOWN) && unlock.isPresent()) {
            String cause = fault == Fault.TERM ? "signal" : "stepdown command";
            // the old leader's side, split where its own lines allow: the JVM's shutdown hook starting (SIGTERM
            // only), the first and last line of the probe's @PreDestroy, and the unlock
            Optional<Event> hook = fault == Fault.TERM ? first(cluster, e -> e.node() == leader && e.is("HOOK", null)
                    && e.micros() >= faultAt) : Optional.empty();
            Optional<Event> down = first(cluster, e -> e.node() == leader && e.is("DOWN", up.name()) && e.micros() >= faultAt);
            Optional<Event> gone = first(cluster, e -> e.node() == leader && e.is("GONE", up.name()) && e.micros() >= faultAt);
            hook.ifPresent(h -> result.step("signal → shutdown hook begins", h.micros() - faultAt));
            if (down.isPresent()) {
                long from = hook.map(Event::micros).orElse(faultAt);
                result.step((hook.isPresent() ? "shutdown hook begins" : cause) + " → @PreDestroy begins",
                        down.get().micros() - from);
            }
            gone.ifPresent(g -> result.step("@PreDestroy returned → unlock sent", unlock.get().micros() - g.micros()));
            result.step(cause + " → unlock sent (old leader)", unlock.get().micros() - faultAt);
            result.step("unlock sent → @PostConstruct", up.micros() - unlock.get().micros());
            won.ifPresent(w -> result.step("unlock sent → " + lockReturns, w.endMicros() - unlock.get().micros()));
            if (nodeSession) { // what woke the standby: the released notice of the unlock, or a watcher's gone
                result.step("unlock sent → try sent", won.get().micros() - unlock.get().micros());
                watch.ifPresent(w -> result.step("unlock sent → watcher's wait returns (gone notice sent)",
                        w.endMicros() - unlock.get().micros()));
            }
        } else if (fault == Fault.KILL) {
            won.ifPresent(w -> result.step("kill → " + lockReturns, w.endMicros() - faultAt));
            watch.ifPresent(w -> result.step("kill → watcher's wait returns (gone notice sent)", w.endMicros() - faultAt));
            watch.ifPresent(w -> result.step("watcher's wait returns → try sent", won.get().micros() - w.endMicros()));
        } else if (fault == Fault.STOP) {
            Optional<Event> beat = lastSessionStatement(cluster, leader, faultAt);
            beat.ifPresent(b -> result.step("last statement sent by frozen leader → @PostConstruct (≈ L)", up.micros() - b.micros()));
            if (beat.isPresent() && won.isPresent()) {
                long expiry = beat.get().micros() + leaseMicros;
                watch.ifPresent(w -> result.step("last statement sent + L → watcher's wait returns", w.endMicros() - expiry));
                result.step("last statement sent + L → " + lockReturns, won.get().endMicros() - expiry);
            }
        } else if (fault == Fault.TERM && nodeSession) { // no unlock traced: the old session simply ended
            watch.ifPresent(w -> result.step("signal → watcher's wait returns (gone notice sent)", w.endMicros() - faultAt));
        }
        if (token.isPresent()) {
            won.ifPresent(w -> result.step("lock returns → fencing token read", token.get().endMicros() - w.endMicros()));
            won.ifPresent(w -> result.step("(of which: lock returns → token query sent", token.get().micros() - w.endMicros()));
            result.step("token query round trip)", token.get().endMicros() - token.get().micros());
            result.step("fencing token read → @PostConstruct", up.micros() - token.get().endMicros());
        } else if (nodeSession) {
            result.step("try round trip (locks and token in one statement)", won.get().endMicros() - won.get().micros());
            result.step("try returns → @PostConstruct", up.micros() - won.get().endMicros());
            // the fence's barrier, where the new term tries it on the node session in a statement of its own
            Optional<Event> fence = first(cluster, e -> e.node() == next && e.is("Q", "FENCE")
                    && e.micros() >= won.get().endMicros() && e.endMicros() <= up.micros());
            fence.ifPresent(f -> result.step("(of which: try returns → fence check returns",
                    f.endMicros() - won.get().endMicros()));
            fence.ifPresent(f -> result.step("fence check returns → @PostConstruct)", up.micros() - f.endMicros()));
        } else if (won.isPresent()) {
            result.step("lock returns → UP", up.micros() - won.get().endMicros());
        }
    }

    /**
     * The old leader's release after the fault: the first {@code UNLOCK} (issue 11's node session: unlock and
     * notice; the raw node) or {@code UNLOCKALL} (one lock session per singleton lets go with
     * {@code pg_advisory_unlock_all}) on the connection that took its lock, so that a watcher's
     * {@code UNLOCKALL} on its own connection (a cancelled wait) is not taken for it.
     */
    private static Predicate<Event> releaseOf(Cluster cluster, NodeProcess leader, long faultAt) {
        Optional<String> session = last(cluster.events(e -> e.node() == leader && e.kind().equals("Q") && e.ok()
                && List.of("LOCK", "TRY", "TRYALL").contains(e.name()) && e.micros() < faultAt)).map(Event::detail);
        return e -> e.node() == leader && (e.is("Q", "UNLOCK") || e.is("Q", "UNLOCKALL")) && e.micros() >= faultAt
                && (session.isEmpty() || session.get().equals(e.detail()));
    }

    /**
     * The last statement the frozen leader sent on the session that carries its lease: its reply may never have
     * been read (the line is printed after the reply), so take statements by when they were sent; the server's
     * idle timer started a fraction of a millisecond after that. On a node session that is the connection of the
     * node's liveness lock (its watcher's statements run on another connection, with its own idle timer); on a
     * lock session per singleton, the lock session's statements.
     */
    private static Optional<Event> lastSessionStatement(Cluster cluster, NodeProcess leader, long faultAt) {
        Optional<String> session = cluster.events(e -> e.node() == leader && e.is("Q", "LIVENESS") && e.ok()
                        && e.micros() < faultAt && e.detail() != null).stream()
                .max(Comparator.comparingLong(Event::micros)).map(Event::detail);
        return cluster.events(e -> e.node() == leader && e.kind().equals("Q") && e.micros() < faultAt
                        && (session.isPresent() ? session.get().equals(e.detail())
                        : List.of("BEAT", "TOKEN", "LOCK", "TRY").contains(e.name())))
                .stream().max(Comparator.comparingLong(Event::micros));
    }

    private void settle(Cluster cluster, String waiters) throws Exception {
        if (waiters != null) {
            cluster.awaitSettled(waiters, cluster.nodes().size() - 1, 60_000);
        }
        Thread.sleep(settleMillis);
    }

    private static Optional<Event> first(Cluster cluster, Predicate<Event> which) {
        return cluster.events(which).stream().min(Comparator.comparingLong(Event::micros));
    }

    private static Optional<Event> last(List<Event> events) {
        return events.stream().max(Comparator.comparingLong(Event::endMicros));
    }

    private static int pid(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT pg_backend_pid()");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    private static void lock(Connection connection, String sql) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.executeQuery().close();
        }
    }

    private static void awaitLockWait(Connection observer, int pid) throws SQLException, InterruptedException {
        try (PreparedStatement query = observer.prepareStatement(
                "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = ?")) {
            query.setInt(1, pid);
            for (int i = 0; i < 1000; i++) {
                try (ResultSet row = query.executeQuery()) {
                    if (row.next() && row.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(2);
            }
        }
        throw new IllegalStateException("the floor's waiter never waited");
    }
}
