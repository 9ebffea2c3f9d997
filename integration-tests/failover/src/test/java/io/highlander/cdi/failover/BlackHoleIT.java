package io.highlander.cdi.failover;

import static io.highlander.cdi.failover.PromotionIT.awaitTerms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.internal.datasource.ConnectBounds;
import io.highlander.cdi.testing.LogRecorder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The old primary's host stops answering instead of refusing (a black hole: a TCP proxy in front of it that goes
 * silent, sockets open), first in the URL, and the replica is promoted once the HA manager gave up on it. The nodes
 * are configured with the URL alone ({@code highlander.datasource.url}, no timeouts in it), so every wait is bounded by
 * what the library sets on the DataSource it builds ({@link ConnectBounds}) and by its raced connect across the hosts.
 * The old leader stops by its lease (no answer to its heartbeat), and a node on the promoted replica leads with a
 * higher token, within the bound argued in docs/design/tokens.md §5, read from the record: the new term's
 * {@code LeadershipAcquired.at}, measured from the instant the new primary accepted a connection as a primary (a probe
 * connecting with {@code targetServerType=primary} while it is promoted).
 *
 * <p>Twice: promoted as soon as the old leader stopped (some nodes still wait on their sessions to the silent host:
 * {@link BlackHoleBound#of}), and promoted once every node's session there has ended, as an HA manager does after its
 * own timeout ({@link BlackHoleBound#reconnecting}).
 *
 * <p>{@code -Dfailover.blackhole.rounds=N} (1 by default) repeats the whole scenario on fresh servers and prints the
 * median and p95 over the rounds; each round asserts the invariants and the bound.
 */
class BlackHoleIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** How often the probe asks the promoted replica: the figure's resolution. */
    private static final Duration PROBE_EVERY = Duration.ofMillis(5);

    @Test
    void aBlackHoledPrimaryIsLeftWithinTheLeaseAndTheConnectBounds() throws Exception {
        rounds("promoted as soon as the old leader stopped", BlackHoleBound.of(Nodes.settings("x").build()), false);
    }

    /**
     * An HA manager promotes only after its own timeout (Patroni's TTL: 30 s by default), by which time every node's
     * session to the silent host has ended and the nodes are reconnecting: here, once each node has logged that its
     * session failed (HL-0403).
     */
    @Test
    void aPromotionAfterTheNodesLeftTheSilentHostIsFollowedWithinTheBackOff() throws Exception {
        rounds("promoted once every node's session to the silent host had ended",
                BlackHoleBound.reconnecting(), true);
    }

    private static void rounds(String scenario, Duration bound, boolean afterSessionsEnded) throws Exception {
        int rounds = Integer.getInteger("failover.blackhole.rounds", 1);
        List<Long> fromAccepting = new ArrayList<>();
        List<Long> fromPromotion = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Duration[] figures = round(bound, afterSessionsEnded);
            fromAccepting.add(figures[0].toMillis());
            fromPromotion.add(figures[1].toMillis());
        }
        System.out.printf("black hole, %s, %d round(s), 3 nodes, lease %s, bound %d ms: the new primary accepting a"
                        + " connection → the new term's lock %s; pg_ctl promote -w returning → the lock %s (load average"
                        + " %s)%n", scenario, rounds, Nodes.LEASE, bound.toMillis(), summary(fromAccepting),
                summary(fromPromotion), load());
    }

    /** @return from the new primary accepting connections, and from the promotion, to the new term's lock */
    private static Duration[] round(Duration bound, boolean afterSessionsEnded) throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            try (LogRecorder log = LogRecorder.of("io.highlander.cdi");
                 BlackHoleProxy proxy = new BlackHoleProxy(primary.port());
                 Nodes nodes = new Nodes().startOnUrl(ReplicatedPostgres.bareUrl(proxy.port(), replica.port()), 3)) {
                awaitTerms(nodes, 1);
                PromotionIT.handOver(nodes);
                PromotionIT.awaitReplayed(primary, replica);
                int before = nodes.terms();
                long highest = Tokens.highestOfFirst(nodes.history(), before);

                long silent = System.nanoTime();
                System.out.printf("black hole from %s%n", Instant.now());
                proxy.blackHole();
                // the old leader cannot prove it still holds its lock: it stops at its lease deadline
                await("the old leader stops by its lease").atMost(PATIENCE).until(() -> nodes.history().running() == 0);
                System.out.printf("black hole: the old leader stopped %d ms after its host went silent (lease %s)%n",
                        (System.nanoTime() - silent) / 1_000_000, Nodes.LEASE);
                if (afterSessionsEnded) {
                    for (String node : List.of("a", "b", "c")) {
                        await("node " + node + "'s session to the silent host ended").atMost(PATIENCE)
                                .until(() -> log.messages().stream().anyMatch(
                                        m -> m.startsWith("HL-0403: node " + node + ": lock connection failed")));
                    }
                }
                Instant[] promoted = new Instant[1];
                CompletableFuture<Void> promotion = CompletableFuture.runAsync(() -> {
                    replica.promote();
                    promoted[0] = Instant.now(); // pg_ctl promote -w returned: the new primary accepts writes
                });
                Instant accepting = firstAcceptedAsPrimary(replica.port());
                promotion.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                awaitTerms(nodes, before + 1);

                long firstToken = Tokens.after(nodes.history(), before).get(0);
                Instant locked = nodes.times().acquired(firstToken);
                Duration toLeader = Duration.between(accepting, locked);
                Duration fromPromotion = Duration.between(promoted[0], locked);
                System.out.printf("black-holed primary, replica promoted: the new term acquired its lock %d ms after the"
                                + " new primary accepted a connection, %d ms after pg_ctl promote -w returned (bound %d"
                                + " ms); tokens %s; accepted at %s, promoted at %s, locked at %s%n", toLeader.toMillis(),
                        fromPromotion.toMillis(), bound.toMillis(), Tokens.of(nodes.history()), accepting, promoted[0],
                        locked);
                assertThat(toLeader).as("the new primary accepting connections to the new term's lock (bound:"
                        + " docs/design/tokens.md §5)").isLessThanOrEqualTo(bound);
                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history()).isLessThanOrEqualTo(1);
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens after the promotion, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .isNotEmpty().allSatisfy(token -> assertThat(token).isGreaterThan(highest));
                return new Duration[] {toLeader, fromPromotion};
            }
        }
    }

    /**
     * Connects to the replica as a primary until it accepts, while it is being promoted.
     *
     * @return when the first attempt that succeeded began: the earliest the new primary is known to have accepted
     */
    private static Instant firstAcceptedAsPrimary(int port) {
        String url = ReplicatedPostgres.plainUrl(port) + "&targetServerType=primary";
        Properties role = new Properties();
        role.setProperty("user", ReplicatedPostgres.ROLE);
        Instant[] began = new Instant[1];
        await("the promoted replica accepts a connection as a primary").atMost(PATIENCE).pollInterval(PROBE_EVERY)
                .pollDelay(Duration.ZERO).until(() -> {
                    Instant attempt = Instant.now();
                    try (Connection ignored = DriverManager.getConnection(url, role)) {
                        began[0] = attempt;
                        return true;
                    } catch (SQLException e) {
                        return false; // still a standby
                    }
                });
        return began[0];
    }

    /** @return median, p95 and max of {@code millis}, and every value in the order measured */
    static String summary(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return String.format("median %d ms, p95 %d ms, max %d ms, all %s", sorted.get(sorted.size() / 2),
                sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1), sorted.get(sorted.size() - 1), millis);
    }

    /** @return the 1-minute load average, so that a figure says how busy the machine was */
    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
