package io.highlander.cdi.failover;

import static io.highlander.cdi.failover.PromotionIT.awaitTerms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.internal.datasource.ConnectBounds;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The old primary's host stops answering instead of refusing (a black hole: a TCP proxy in front of it that goes
 * silent, sockets open), and the replica is promoted once the HA manager gave up on it. The nodes are configured with
 * the URL alone ({@code highlander.datasource.url}, no timeouts in it), so every wait is bounded by what the library
 * sets on the DataSource it builds ({@link ConnectBounds}). The old leader stops by its lease (no answer to its
 * heartbeat), and a node on the promoted replica leads with a higher token, within the bound argued in
 * docs/design/tokens.md §5, read from the record: the new term's {@code LeadershipAcquired.at}.
 */
class BlackHoleIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aBlackHoledPrimaryIsLeftWithinTheLeaseAndTheConnectBounds() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            try (BlackHoleProxy proxy = new BlackHoleProxy(primary.port());
                 Nodes nodes = new Nodes().startOnUrl(ReplicatedPostgres.bareUrl(proxy.port(), replica.port()), 3)) {
                awaitTerms(nodes, 1);
                PromotionIT.handOver(nodes);
                PromotionIT.awaitReplayed(primary, replica);
                int before = nodes.terms();
                long highest = Tokens.highestOfFirst(nodes.history(), before);

                long silent = System.nanoTime();
                proxy.blackHole();
                // the old leader cannot prove it still holds its lock: it stops at its lease deadline
                await("the old leader stops by its lease").atMost(PATIENCE).until(() -> nodes.history().running() == 0);
                System.out.printf("black hole: the old leader stopped %d ms after its host went silent (lease %s)%n",
                        (System.nanoTime() - silent) / 1_000_000, Nodes.LEASE);
                replica.promote();
                Instant promoted = Instant.now(); // pg_ctl promote -w returned: the new primary accepts writes
                awaitTerms(nodes, before + 1);

                long firstToken = Tokens.after(nodes.history(), before).get(0);
                Duration toLeader = Duration.between(promoted, nodes.times().acquired(firstToken));
                Duration bound = BlackHoleBound.of(Nodes.settings("x").build());
                System.out.printf("black-holed primary, replica promoted: the new term acquired its lock %d ms after"
                        + " the promotion (bound %d ms); tokens %s%n", toLeader.toMillis(), bound.toMillis(),
                        Tokens.of(nodes.history()));
                assertThat(toLeader).as("promotion to the new term's lock (bound: docs/design/tokens.md §5)")
                        .isLessThanOrEqualTo(bound);
                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history()).isLessThanOrEqualTo(1);
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens after the promotion, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .isNotEmpty().allSatisfy(token -> assertThat(token).isGreaterThan(highest));
            }
        }
    }
}
