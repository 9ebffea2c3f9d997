package io.highlander.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.Pgbouncer;
import io.highlander.cdi.testing.PostgresControl;
import io.highlander.cdi.testing.PostgresControl.Shutdown;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every fault we can inject, against three node processes that take their connections from HikariCP pools;
 * after each test the whole history is judged: no two nodes active at once (beyond the stated allowance on the
 * paths the lease cannot cover), a new leader within the promised time, strictly increasing fencing tokens, no
 * stuck node — and no connection that outlived its purpose ({@link ConnectionAudit}).
 */
class FaultInjectionIT {

    /**
     * Overlap allowed when the server ends the session early (pg_terminate_backend, restart): the old
     * leader learns at its next heartbeat, then its next tick is refused; plus scheduling slack. A lock layer
     * that promises less (issue 11: the node session waits in a socket read and sees the end in milliseconds)
     * is held to its own figure with {@code -Dfaults.earlyEndAllowanceMillis=<ms>}.
     */
    static final Duration EARLY_END_ALLOWANCE = Duration.ofMillis(Long.getLong("faults.earlyEndAllowanceMillis",
            FaultCluster.HEARTBEAT.plus(FaultCluster.TICK).plusMillis(200).toMillis()));
    /** Rounds of the repeated early-end tests (issue 11's overlap measurement, as an invariant here). */
    static final int EARLY_END_ROUNDS = Integer.getInteger("sessionend.rounds", 3);
    /**
     * Graceful and crash failover take milliseconds (the standby waits inside PostgreSQL; see the benchmarks
     * for figures). The bound asserted is what the configuration promises even when the server is not told
     * of the death at once — lease plus standby interval — plus slack for a loaded 2-core machine.
     */
    static final Duration FAST_BOUND = FaultCluster.LEASE.plus(FaultCluster.STANDBY_INTERVAL).plusSeconds(3);
    /** Frozen or cut-off leader: the server ends its session after the lease. */
    static final Duration LEASE_BOUND = FaultCluster.LEASE.plusSeconds(3);
    /**
     * HL-0403 ("lock connection failed … retrying") lines all nodes may write in the short-timeouts test: a node
     * cut off from PostgreSQL may say so a few times while it retries; a lock session that fails at every wait
     * says so many times a second.
     */
    static final int CONNECTION_WARNINGS_ALLOWED = 4;

    private FaultCluster cluster;
    private PostgresControl restartedPostgres;
    private final List<Long> faultInstants = new ArrayList<>();
    private final List<Duration> allowances = new ArrayList<>();

    /**
     * After every test, with the cluster still running: no advisory lock outside the current term's lock session,
     * no leaked pool slot. After a test that failed already, what it finds is printed instead.
     */
    @RegisterExtension
    final AfterTestExecutionCallback connectionAudit = context -> {
        if (cluster == null) {
            return;
        }
        try {
            ConnectionAudit.assertNothingLeaked(cluster);
        } catch (AssertionError | Exception e) {
            if (context.getExecutionException().isEmpty()) {
                throw e;
            }
            System.out.println("after the test failed, the connection audit found: " + e.getMessage());
        }
    };

    @AfterEach
    void stopCluster() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (restartedPostgres != null) {
                restartedPostgres.ensureRunning(); // a test that failed while PostgreSQL was down
            }
        }
    }

    @AfterAll
    static void report() throws Exception {
        String table = FaultReport.table();
        System.out.println(table);
        FaultReport.write(Path.of(System.getProperty("faults.dir", "target/faults"), "fault-report.md"));
    }

    @Test
    void leaderKilledWithSigkill() throws Exception {
        rounds("SIGKILL of the leader", 3, FAST_BOUND, Duration.ZERO, leader -> {
            cluster.signal(leader, "KILL");
        }, leader -> cluster.start(leader));
    }

    @Test
    void leaderStoppedGracefully() throws Exception {
        rounds("SIGTERM of the leader (graceful)", 3, FAST_BOUND, Duration.ZERO, leader -> {
            cluster.signal(leader, "TERM");
        }, leader -> cluster.start(leader));
        assertThat(cluster.histories().lifeOverlaps()).as("a graceful hand-over destroys the old instance first").isEmpty();
    }

    @Test
    void leaderFrozenLongerThanTheLease() throws Exception {
        rounds("SIGSTOP of the leader for lease + 1 s", 2, LEASE_BOUND, Duration.ZERO, leader -> {
            cluster.signal(leader, "STOP");
        }, leader -> {
            Thread.sleep(1000); // frozen past the new leader's start
            cluster.signal(leader, "CONT");
            Thread.sleep(500); // on resume it must not tick
        });
    }

    @Test
    void leaderBackendTerminated() throws Exception {
        rounds("pg_terminate_backend of the leader's session", 3, FAST_BOUND, EARLY_END_ALLOWANCE,
                leader -> cluster.terminateBackendOf(leader), leader -> { });
    }

    /**
     * Issue 11's overlap, as an invariant: the server ends every session that holds the leader's advisory locks
     * (chosen from pg_locks, so the test does not depend on how the lock layer names or counts its sessions),
     * round after round. Ticks and whole instances ({@code @PostConstruct} begin → {@code @PreDestroy} end) of
     * two nodes may overlap by at most the stated allowance, and a new leader comes within the bound.
     */
    @Test
    void leaderLockSessionsTerminatedLeaveAtMostTheAllowanceOfTwoInstances() throws Exception {
        rounds("pg_terminate_backend of the sessions holding the leader's locks (instances checked)", EARLY_END_ROUNDS,
                FAST_BOUND, EARLY_END_ALLOWANCE, leader -> assertThat(cluster.terminateLockHoldersOf(leader))
                        .as("sessions of %s holding advisory locks", leader).isPositive(), leader -> { });
        assertInstanceOverlapsWithin(EARLY_END_ALLOWANCE);
    }

    /**
     * The same for a fast restart of PostgreSQL ({@code pg_ctl restart -m fast}: SIGINT to the postmaster, started
     * again at once), which ends every session and releases every lock; failover counts from the new
     * postmaster's launch.
     */
    @Test
    void postgresFastRestartsLeaveAtMostTheAllowanceOfTwoInstances() throws Exception {
        cluster = new FaultCluster("postgres-fast-restarts");
        PostgresControl postgres = restartablePostgres();
        startThree();
        List<Long> failovers = new ArrayList<>();
        for (int run = 0; run < EARLY_END_ROUNDS; run++) {
            cluster.awaitOnlyTheHolderBelievesItLeads(LEASE_BOUND.plusSeconds(10), LEASE_BOUND);
            faultInstants.add(NodeMain.micros());
            allowances.add(EARLY_END_ALLOWANCE);
            postgres.stop(Shutdown.FAST);
            long launched = postgres.start();
            cluster.awaitNewLeader(launched, LEASE_BOUND.plusSeconds(10));
            failovers.add(cluster.histories().firstTermAfter(launched).orElseThrow().first() - launched);
        }
        judge("PostgreSQL fast restart, started again at once, from its restart (instances checked)", failovers,
                EARLY_END_ALLOWANCE, LEASE_BOUND);
        assertInstanceOverlapsWithin(EARLY_END_ALLOWANCE);
    }

    /** No two nodes' instances (from {@code @PostConstruct} to the end of {@code @PreDestroy}) beyond the allowance. */
    private void assertInstanceOverlapsWithin(Duration allowance) throws Exception {
        List<Histories.LifeOverlap> overlaps = cluster.histories().instanceOverlaps();
        System.out.println("instance overlaps (ms): " + overlaps.stream().map(o -> o.micros() / 1000).toList());
        assertThat(overlaps).as("instances of two nodes at once beyond %s", allowance)
                .allSatisfy(overlap -> assertThat(overlap.micros()).as("%s", overlap)
                        .isLessThanOrEqualTo(allowance.toNanos() / 1000));
    }

    @Test
    void networkCutBetweenLeaderAndPostgres() throws Exception {
        rounds("network cut (sockets left open)", 2, LEASE_BOUND, Duration.ZERO,
                leader -> cluster.proxy(leader).cut(true), leader -> cluster.proxy(leader).cut(false));
        assertThat(cluster.histories().lifeOverlaps()).as("the cut-off leader's instance is gone before the server"
                + " lets the lock go").isEmpty();
    }

    @Test
    void standbyConnectionEndedWhileItWaits() throws Exception {
        rounds("a standby's session ended, then SIGKILL of the leader", 2, FAST_BOUND, Duration.ZERO, leader -> {
            for (String node : cluster.nodes()) {
                if (!node.equals(leader)) {
                    cluster.terminateBackendOf(node);
                }
            }
            Thread.sleep(300); // failover is measured from the kill, below
        }, leader -> cluster.signal(leader, "KILL"), leader -> cluster.start(leader));
    }

    @Test
    void addedLatencyDoesNotMoveLeadership() throws Exception {
        cluster = new FaultCluster("latency");
        startThree();
        String leader = cluster.awaitSingleLeader(Duration.ofSeconds(60));
        cluster.nodes().forEach(node -> cluster.proxy(node).delay(100));
        long since = NodeMain.micros();
        Thread.sleep(FaultCluster.LEASE.multipliedBy(2).toMillis());

        assertThat(cluster.awaitSingleLeader(Duration.ofSeconds(10))).as("100 ms each way costs no leadership")
                .isEqualTo(leader);
        assertThat(cluster.histories().firstTermAfter(since)).as("no new term under latency").isEmpty();
        judge("100 ms latency on every link (leadership must stay)", 1, List.of(), Duration.ZERO, Duration.ZERO);
    }

    @Test
    void postgresRestartedFast() throws Exception {
        postgresRestart(Shutdown.FAST);
    }

    @Test
    void postgresRestartedImmediately() throws Exception {
        postgresRestart(Shutdown.IMMEDIATE);
    }

    @Test
    void postgresUnavailableWhenTheNodesStart() throws Exception {
        cluster = new FaultCluster("unavailable-at-start");
        PostgresControl postgres = restartablePostgres();
        postgres.stop(Shutdown.FAST);
        long healed;
        try {
            startThree();
            Thread.sleep(3000);
        } finally {
            healed = postgres.start();
        }
        cluster.awaitNewLeader(healed, LEASE_BOUND.plusSeconds(10));
        long failover = cluster.histories().firstTermAfter(healed).orElseThrow().first() - healed;
        judge("PostgreSQL unavailable at start (3 s), from its restart", List.of(failover), Duration.ZERO, LEASE_BOUND);
    }

    /**
     * The Lease javadoc's promise: the old instance is gone — {@code @PreDestroy} returned, if it takes less than
     * the stop margin — before the lock can change hands. The server answers the leader's heartbeats late (a
     * stalled server, or a slow link one way), so the lease runs out while the connection still works; the
     * singleton's {@code @PreDestroy} takes 100 ms, half the 200 ms margin.
     */
    @Test
    void slowServerResponsesExpireTheLeaseAndTheOldInstanceIsGoneBeforeTheNextStarts() throws Exception {
        cluster = new FaultCluster("slow-server-responses");
        cluster.preDestroyTakes(FaultCluster.STOP_MARGIN.dividedBy(2).toMillis());
        startThree();
        List<Long> failovers = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            String leader = cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
            long at = NodeMain.micros();
            faultInstants.add(at);
            allowances.add(Duration.ZERO);
            cluster.proxy(leader).delayResponses(FaultCluster.LEASE.multipliedBy(2).toMillis());
            cluster.awaitNewLeader(at, LEASE_BOUND.plusSeconds(25));
            failovers.add(cluster.histories().firstTermAfter(at).orElseThrow().first() - at);
            cluster.proxy(leader).delayResponses(0);
        }
        judge("server answers the leader late (lease runs out on a working connection)", failovers, Duration.ZERO,
                LEASE_BOUND);
        assertThat(cluster.histories().lifeOverlaps())
                .as("@PostConstruct of the next leader began before the old @PreDestroy returned").isEmpty();
    }

    /**
     * DESIGN.md §4: the fencing token strictly increases across terms, "also after a PostgreSQL restart". A
     * crash right after a new term began is the hard case: unless the token's transaction is made durable, its
     * commit is not flushed, and after crash recovery PostgreSQL hands out the same transaction id again. Each
     * round: SIGKILL of the leader, and the moment the next term ticks, an immediate shutdown of PostgreSQL.
     * {@code -Dcrash.rounds} (5 by default).
     */
    @Test
    void postgresCrashRightAfterANewTermKeepsTokensIncreasing() throws Exception {
        cluster = new FaultCluster("postgres-crash-after-acquisition");
        PostgresControl postgres = restartablePostgres();
        startThree();
        List<Long> failovers = new ArrayList<>();
        int rounds = Integer.getInteger("crash.rounds", 5);
        for (int run = 0; run < rounds; run++) {
            String leader = cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
            long killed = NodeMain.micros();
            faultInstants.add(killed);
            allowances.add(Duration.ZERO);
            cluster.signal(leader, "KILL"); // a standby takes over within milliseconds
            org.awaitility.Awaitility.await().atMost(FAST_BOUND).pollInterval(Duration.ofMillis(5))
                    .until(() -> cluster.histories().firstTermAfter(killed).isPresent());
            faultInstants.add(NodeMain.micros());
            allowances.add(EARLY_END_ALLOWANCE);
            postgres.stop(Shutdown.IMMEDIATE);
            Thread.sleep(500); // down for a while, as after a real crash
            long healed = postgres.start();
            cluster.start(leader);
            cluster.awaitNewLeader(healed, LEASE_BOUND.plusSeconds(10));
            failovers.add(cluster.histories().firstTermAfter(healed).orElseThrow().first() - healed);
        }
        judge("PostgreSQL crash (immediate) right after a new term, from its restart", failovers, EARLY_END_ALLOWANCE,
                LEASE_BOUND);
    }

    /**
     * An administrator's role settings shorter than the library's own intervals: {@code statement_timeout} 100 ms
     * (the standby waits up to 1 s in {@code pg_advisory_lock}) and {@code tcp_user_timeout} 100 ms (the lease is
     * 2 s). All three nodes connect as such a role; the usual faults must still give one leader within the bounds,
     * with no overlap, and without a storm of HL-0403 warnings from sessions that fail at every wait.
     */
    @Test
    void nodesOfARoleWithShortStatementAndTcpTimeoutsStillElectOneLeader() throws Exception {
        cluster = new FaultCluster("role-with-short-timeouts");
        String role = cluster.connectNodesAsRoleWith(Map.of("statement_timeout", "100ms", "tcp_user_timeout", "100ms"));
        assertThat(cluster.nodeSetting("statement_timeout")).as("the role's statement_timeout").isEqualTo("100ms");
        assertThat(cluster.nodeSetting("tcp_user_timeout")).as("the role's tcp_user_timeout (ms)").isEqualTo("100");
        startThree();
        cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
        assertThat(cluster.lockSessions()).as("lock sessions").isNotEmpty()
                .allSatisfy(session -> assertThat(session.user()).isEqualTo(role));
        record Fault(String name, Duration bound, Step inject, Step heal) {
        }
        List<Fault> faults = List.of(
                new Fault("SIGKILL of the leader", FAST_BOUND, leader -> cluster.signal(leader, "KILL"),
                        leader -> cluster.start(leader)),
                new Fault("SIGTERM of the leader", FAST_BOUND, leader -> cluster.signal(leader, "TERM"),
                        leader -> cluster.start(leader)),
                new Fault("network cut", LEASE_BOUND, leader -> cluster.proxy(leader).cut(true),
                        leader -> cluster.proxy(leader).cut(false)));
        List<Long> failovers = new ArrayList<>();
        for (Fault fault : faults) {
            String leader = cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
            long at = NodeMain.micros();
            faultInstants.add(at);
            allowances.add(Duration.ZERO);
            fault.inject().run(leader);
            String next = cluster.awaitNewLeader(at, fault.bound().plusSeconds(25));
            long failover = cluster.histories().firstTermAfter(at).orElseThrow().first() - at;
            assertThat(failover).as("failover after %s within %s", fault.name(), fault.bound())
                    .isLessThanOrEqualTo(fault.bound().toNanos() / 1000);
            failovers.add(failover);
            fault.heal().run(leader);
            cluster.awaitOnlyBelievedLeader(next, LEASE_BOUND);
        }
        judge("role with statement_timeout and tcp_user_timeout 100 ms: SIGKILL, SIGTERM, network cut", failovers,
                Duration.ZERO, FAST_BOUND);
        assertThat(cluster.outputLines("HL-0403")).as("HL-0403 warnings of all nodes")
                .hasSizeLessThanOrEqualTo(CONNECTION_WARNINGS_ALLOWED);
    }

    /**
     * Debian's pgbouncer in transaction mode with two server connections handed out in turn: the lock session's
     * backend changes between two statements, and the node must refuse to compete (HL-0311, at start-up or once
     * its lock session sees the backend change) while the directly connected nodes carry on.
     */
    @Test
    void transactionPoolerIsDetectedWhenTheBackendChanges() throws Exception {
        java.util.Optional<String> missing = Pgbouncer.ensureInstalled();
        Assumptions.assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());
        cluster = new FaultCluster("pgbouncer-alternating-backends");
        try (Pgbouncer pgbouncer = Pgbouncer.start(cluster.directory().resolve("pgbouncer"), cluster.postgresPort(),
                cluster.databaseName(), cluster.postgres().user(), 2, true)) {
            cluster.start("a");
            cluster.start("b");
            String leader = cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
            // the deployment's start-up check finds the two backends shared if pgbouncer happens to serve both of its
            // connections from one (it did under load); otherwise the lock session sees its backend change later
            cluster.launchOnly("p", pgbouncer.url(cluster.databaseName()));
            Path log = cluster.directory().resolve("p.out");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> java.nio.file.Files.readString(log)
                    .contains("a pooler in transaction mode (e.g. pgbouncer) sits in between")); // HL-0311, -0323..6
            assertThat(java.nio.file.Files.readString(log)).containsAnyOf(
                    "a pooler in transaction mode (e.g. pgbouncer) sits in between, and session advisory locks cannot"
                            + " work there.",
                    "Connect Highlander directly to PostgreSQL or through a pooler in session mode.");

            long at = NodeMain.micros();
            faultInstants.add(at);
            allowances.add(Duration.ZERO);
            cluster.signal(leader, "KILL");
            String next = cluster.awaitNewLeader(at, FAST_BOUND.plusSeconds(25));
            assertThat(next).as("the pooled node no longer competes").isNotIn("p", leader);
            cluster.start(leader);
            long failover = cluster.histories().firstTermAfter(at).orElseThrow().first() - at;
            judge("pgbouncer, transaction mode, backends alternate (HL-0311), then SIGKILL of the leader",
                    List.of(failover), Duration.ZERO, FAST_BOUND);
            assertThat(cluster.histories().terms()).as("the pooled node never ran the singleton")
                    .noneMatch(term -> term.node().equals("p"));
        }
    }

    /**
     * Debian's pgbouncer in transaction mode with one server connection (or any pool under light load: it
     * reuses the most recent connection): every pooled node's statements run on the same backend, so the
     * backend pid never changes, and a session advisory lock taken by one node would be re-entered by the next
     * (two leaders, found by this test before the fix). Each node's deployment now opens two connections at
     * once, finds them on one backend and fails with HL-0311, before it could lead.
     */
    @Test
    void transactionPoolerSharingOneBackendIsDetected() throws Exception {
        java.util.Optional<String> missing = Pgbouncer.ensureInstalled();
        Assumptions.assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());
        cluster = new FaultCluster("pgbouncer-shared-backend");
        try (Pgbouncer pgbouncer = Pgbouncer.start(cluster.directory().resolve("pgbouncer"), cluster.postgresPort(),
                cluster.databaseName(), cluster.postgres().user(), 1, false)) {
            // the deployment's own check finds two connections sharing one backend, before any node can lead
            for (String node : List.of("p", "q")) {
                int exit = cluster.startExpectingFailure(node, pgbouncer.url(cluster.databaseName()),
                        Duration.ofSeconds(60));
                assertThat(exit).as("node %s ends with a deployment error", node).isNotZero();
                assertThat(java.nio.file.Files.readString(cluster.directory().resolve(node + ".out")))
                        .contains("HL-0311: two connections of the DataSource ")
                        .contains(" open at the same time share PostgreSQL backend ")
                        .contains("Connect Highlander directly to PostgreSQL or through a pooler in session mode.");
            }
            Histories histories = cluster.histories();
            FaultReport.add("pgbouncer, transaction mode, one shared backend", 2, List.of(), histories.overlaps());
            assertThat(histories.terms()).as("no pooled node ever led").isEmpty();
        }
    }

    /**
     * Random faults against random nodes: the leader (SIGKILL, SIGTERM, SIGSTOP, its session terminated, its
     * network cut), a standby (SIGKILL, SIGSTOP, its session terminated), latency on the leader's link, and,
     * on the embedded server, PostgreSQL restarted. Node c waits by polling, a and b block in the lock.
     */
    @Test
    void randomizedSoak() throws Exception {
        long seed = Long.getLong("soak.seed", System.nanoTime());
        int rounds = Integer.getInteger("soak.rounds", 6);
        System.out.println("soak: seed " + seed + ", " + rounds + " rounds");
        Random random = new Random(seed);
        cluster = new FaultCluster("soak");
        // balanced placement moves the singleton when a node joins or leaves (a re-balance, not a failover)
        boolean balanced = "balanced".equals(System.getProperty("soak.placement", "first-come"));
        cluster.placement(balanced ? "balanced" : "first-come");
        System.out.println("soak: placement " + (balanced ? "balanced" : "first-come"));
        PostgresControl postgres = io.highlander.cdi.testing.TestPostgres.shared().kind().equals("embedded")
                ? cluster.postgresControl() : null;
        restartedPostgres = postgres;
        startThree();
        List<Long> failovers = new ArrayList<>();
        java.util.Map<SoakFault, Integer> counts = new java.util.EnumMap<>(SoakFault.class);
        long started = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            String leader = cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
            List<String> standbys = cluster.alivePids().keySet().stream().filter(n -> !n.equals(leader)).toList();
            String standby = standbys.get(random.nextInt(standbys.size()));
            SoakFault fault = SoakFault.values()[random.nextInt(postgres == null ? SoakFault.POSTGRES_FAST.ordinal()
                    : SoakFault.values().length)];
            counts.merge(fault, 1, Integer::sum);
            String target = fault.againstLeader ? leader : standby;
            boolean postgresFault = fault == SoakFault.POSTGRES_FAST || fault == SoakFault.POSTGRES_IMMEDIATE;
            System.out.println("soak round " + round + ": " + fault + (postgresFault ? " (leader " + leader + ")"
                    : fault.againstLeader ? " of leader " + target : " of standby " + target + " (leader " + leader + ")"));
            long at = NodeMain.micros();
            faultInstants.add(at);
            allowances.add(fault.earlyEnd ? EARLY_END_ALLOWANCE : Duration.ZERO);
            long measuredFrom = at;
            switch (fault) {
                case KILL_LEADER, KILL_STANDBY -> cluster.signal(target, "KILL");
                case TERM_LEADER -> cluster.signal(target, "TERM");
                case STOP_LEADER -> cluster.signal(target, "STOP");
                case TERMINATE_LEADER_SESSION, TERMINATE_STANDBY_SESSION -> cluster.terminateBackendOf(target);
                case CUT_LEADER -> cluster.proxy(target).cut(true);
                case STOP_STANDBY -> {
                    cluster.signal(target, "STOP");
                    Thread.sleep(FaultCluster.LEASE.plusMillis(500).toMillis());
                    cluster.signal(target, "CONT");
                }
                case LATENCY_LEADER -> {
                    cluster.proxy(target).delay(100);
                    Thread.sleep(FaultCluster.LEASE.toMillis());
                    cluster.proxy(target).delay(0);
                }
                case JOIN_LEAVE -> {
                    // a fourth node comes, is seen by all (its liveness lock), and goes again gracefully
                    cluster.start(JOINER);
                    await().atMost(LEASE_BOUND).until(() -> cluster.liveNodeSessions() == 4);
                    cluster.awaitOnlyTheHolderBelievesItLeads(LEASE_BOUND.plusSeconds(10), LEASE_BOUND);
                    cluster.signal(JOINER, "TERM");
                }
                case POSTGRES_FAST, POSTGRES_IMMEDIATE -> {
                    // at once, however young the term: its fencing token must survive the crash
                    postgres.stop(fault == SoakFault.POSTGRES_FAST ? Shutdown.FAST : Shutdown.IMMEDIATE);
                    Thread.sleep(500 + random.nextInt(1500));
                    measuredFrom = postgres.start();
                }
            }
            if (fault.failover) {
                String next = cluster.awaitNewLeader(measuredFrom, LEASE_BOUND.plusSeconds(25));
                if (fault.againstLeader && !fault.earlyEnd) {
                    assertThat(next).as("round %d: the faulted leader cannot lead again at once", round).isNotEqualTo(leader);
                }
                failovers.add(cluster.histories().firstTermAfter(measuredFrom).orElseThrow().first() - measuredFrom);
            } else if (balanced) {
                // a node that went or came (a restart has a new liveness key, so a new place in the ring) may
                // move the singleton once per change of the nodes: never two at once (judged below), one leader
                Thread.sleep(300);
                cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
                assertThat(cluster.histories().terms().stream().filter(t -> t.first() > at).count())
                        .as("round %d: %s moves the singleton at most once per change of the nodes", round, fault)
                        .isLessThanOrEqualTo(2); // the fault's change, and a restarted node's spilling over
            } else {
                Thread.sleep(300);
                assertThat(cluster.awaitSingleLeader(LEASE_BOUND)).as("round %d: %s keeps the leader", round, fault)
                        .isEqualTo(leader);
                assertThat(cluster.histories().firstTermAfter(at)).as("round %d: %s starts no new term", round, fault)
                        .isEmpty();
            }
            switch (fault) {
                case KILL_LEADER, TERM_LEADER, KILL_STANDBY -> cluster.start(target);
                case STOP_LEADER -> cluster.signal(target, "CONT");
                case CUT_LEADER -> cluster.proxy(target).cut(false);
                default -> { }
            }
            if (balanced) {
                // a restart's re-balance is over before the round ends and the next counts its own moves: no new
                // term for 1 s (a node that joins may take the singleton over from whoever led a moment ago)
                java.util.concurrent.atomic.AtomicInteger terms = new java.util.concurrent.atomic.AtomicInteger(-1);
                await().during(Duration.ofSeconds(1)).atMost(LEASE_BOUND.plusSeconds(10))
                        .until(() -> {
                            int now = cluster.histories().terms().size();
                            return terms.getAndSet(now) == now;
                        });
            }
            cluster.awaitOnlyTheHolderBelievesItLeads(LEASE_BOUND.plusSeconds(10), LEASE_BOUND);
        }
        judge("randomized soak (mixed; failover over the rounds that need one)", rounds, failovers, EARLY_END_ALLOWANCE,
                LEASE_BOUND);
        System.out.printf(java.util.Locale.ROOT, "soak: seed %d, %d rounds in %d s, %d failovers, faults %s: "
                        + "0 overlaps beyond the allowance, tokens increasing, no stuck node%n", seed, rounds,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), failovers.size(), counts);
    }

    /** The soak's fourth node, which joins and leaves. */
    private static final String JOINER = "d";

    /** What a soak round does; whether a new term must follow; whether the server ends a session early. */
    private enum SoakFault {
        KILL_LEADER(true, true, false),
        TERM_LEADER(true, true, false),
        STOP_LEADER(true, true, false),
        TERMINATE_LEADER_SESSION(true, true, true),
        CUT_LEADER(true, true, false),
        KILL_STANDBY(false, false, false),
        STOP_STANDBY(false, false, false),
        TERMINATE_STANDBY_SESSION(false, false, false),
        LATENCY_LEADER(true, false, false),
        /** A fourth node starts, and once every node counts it, stops gracefully (issue 11's re-balance). */
        JOIN_LEAVE(false, false, false),
        POSTGRES_FAST(true, true, true),
        POSTGRES_IMMEDIATE(true, true, true);

        final boolean againstLeader;
        final boolean failover;
        final boolean earlyEnd;

        SoakFault(boolean againstLeader, boolean failover, boolean earlyEnd) {
            this.againstLeader = againstLeader;
            this.failover = failover;
            this.earlyEnd = earlyEnd;
        }
    }

    // ---- the harness ----

    private interface Step {
        void run(String leader) throws Exception;
    }

    private void rounds(String fault, int runs, Duration bound, Duration allowance, Step inject, Step heal)
            throws Exception {
        rounds(fault, runs, bound, allowance, leader -> { }, inject, heal);
    }

    /** Each run: find the leader, prepare, note the instant, inject the fault, await the next leader, heal. */
    private void rounds(String fault, int runs, Duration bound, Duration allowance, Step prepare, Step inject,
                        Step heal) throws Exception {
        cluster = new FaultCluster(fault.replaceAll("[^A-Za-z0-9]+", "-"));
        startThree();
        List<Long> failovers = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            String leader = cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
            prepare.run(leader);
            long at = NodeMain.micros();
            faultInstants.add(at);
            allowances.add(allowance);
            inject.run(leader);
            String next = cluster.awaitNewLeader(at, bound.plusSeconds(25));
            failovers.add(cluster.histories().firstTermAfter(at).orElseThrow().first() - at);
            heal.run(leader);
            cluster.awaitOnlyBelievedLeader(next, LEASE_BOUND);
        }
        judge(fault, failovers, allowance, bound);
    }

    private void postgresRestart(Shutdown mode) throws Exception {
        cluster = new FaultCluster("postgres-restart-" + mode.name().toLowerCase(java.util.Locale.ROOT));
        PostgresControl postgres = restartablePostgres();
        startThree();
        cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
        long at = NodeMain.micros();
        faultInstants.add(at);
        allowances.add(EARLY_END_ALLOWANCE);
        postgres.stop(mode);
        Thread.sleep(2000); // unavailable for a while
        long healed = postgres.start();
        cluster.awaitNewLeader(healed, LEASE_BOUND.plusSeconds(10));
        long failover = cluster.histories().firstTermAfter(healed).orElseThrow().first() - healed;
        judge("PostgreSQL restart (" + mode.name().toLowerCase(java.util.Locale.ROOT) + ", down 2 s), from its restart", List.of(failover), EARLY_END_ALLOWANCE,
                LEASE_BOUND);
    }

    private PostgresControl restartablePostgres() throws Exception {
        Assumptions.assumeTrue(io.highlander.cdi.testing.TestPostgres.shared().kind().equals("embedded"),
                "restarting PostgreSQL needs the embedded provider");
        restartedPostgres = cluster.postgresControl();
        return restartedPostgres;
    }

    private void startThree() throws Exception {
        for (String node : List.of("a", "b", "c")) {
            cluster.start(node);
        }
    }

    /** Judges the whole history of this test, records it in the report, then asserts the invariants. */
    private void judge(String fault, List<Long> failovers, Duration allowance, Duration bound) throws Exception {
        judge(fault, failovers.size(), failovers, allowance, bound);
    }

    private void judge(String fault, int runs, List<Long> failovers, Duration allowance, Duration bound) throws Exception {
        String leader = cluster.awaitSingleLeader(LEASE_BOUND.plusSeconds(10));
        cluster.awaitOnlyBelievedLeader(leader, LEASE_BOUND);
        Histories histories = cluster.histories();
        List<Histories.Overlap> overlaps = histories.overlaps();
        FaultReport.add(fault, runs, failovers, overlaps);
        for (Histories.Overlap overlap : overlaps) {
            Duration allowed = allowanceAt(overlap.start());
            assertThat(overlap.micros()).as("overlap %s beyond the allowance %s in %s", overlap, allowed, fault)
                    .isLessThanOrEqualTo(allowed.toNanos() / 1000);
        }
        assertThat(histories.tokenRegressions()).as("fencing tokens must strictly increase in %s", fault).isEmpty();
        assertThat(failovers).as("failover within %s in %s", bound, fault)
                .allSatisfy(micros -> assertThat(micros).isLessThanOrEqualTo(bound.toNanos() / 1000));
    }

    /** The allowance of the last fault injected before an overlap began: zero unless the lease could not cover it. */
    private Duration allowanceAt(long micros) {
        Duration allowed = Duration.ZERO;
        for (int i = 0; i < faultInstants.size(); i++) {
            if (faultInstants.get(i) <= micros) {
                allowed = allowances.get(i);
            }
        }
        return allowed;
    }

}
