package io.highlander.cdi.failover;

import static io.highlander.cdi.failover.PromotionIT.awaitTerms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The old primary's host stops answering instead of refusing (a black hole: a TCP proxy in front of it that goes
 * silent, sockets open), and the replica is promoted once the HA manager gave up on it. The old leader stops by its
 * lease (no answer to its heartbeat), every node's connect to the silent host is bounded by the driver's timeouts,
 * and a node on the promoted replica leads with a higher token.
 */
class BlackHoleIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aBlackHoledPrimaryIsLeftWithinTheLeaseAndTheConnectTimeout() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            try (BlackHoleProxy proxy = new BlackHoleProxy(primary.port());
                 Nodes nodes = new Nodes().start(
                         ReplicatedPostgres.dataSource(ReplicatedPostgres.url(proxy.port(), replica.port())), 3)) {
                awaitTerms(nodes, 1);
                PromotionIT.handOver(nodes);
                PromotionIT.awaitReplayed(primary, replica);
                int before = nodes.terms();
                long highest = Tokens.highestOfFirst(nodes.history(), before);

                long silent = System.nanoTime();
                proxy.blackHole();
                // the old leader cannot prove it still holds its lock: it stops at its lease deadline
                await("the old leader stops by its lease").atMost(PATIENCE).until(() -> nodes.history().running() == 0);
                System.out.printf("black hole: the old leader stopped %d ms after its host went silent (lease 2 s)%n",
                        (System.nanoTime() - silent) / 1_000_000);
                replica.promote();
                long promoted = System.nanoTime();
                awaitTerms(nodes, before + 1);
                PromotionIT.report("black-holed primary, replica promoted", promoted, nodes);

                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history()).isLessThanOrEqualTo(1);
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens after the promotion, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .isNotEmpty().allSatisfy(token -> assertThat(token).isGreaterThan(highest));
            }
        }
    }
}
