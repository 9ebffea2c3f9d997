package io.highlander.cdi.failover;

import static io.highlander.cdi.failover.PromotionIT.awaitTerms;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Many failovers in a row ({@code -Dfailover.soak.promotions=30}; skipped at 0, the build's default): each round
 * hands over once, crashes the primary, promotes the replica, and rebuilds a replica of the new primary from a base
 * backup, with the URL listing both ports. Checked on the whole record: never two instances at once, and every
 * term's token above every earlier term's. Prints the time from each promotion to the next leader (a loaded
 * machine: not a benchmark).
 */
class FailoverSoakIT {

    @Test
    void tokensKeepIncreasingOverManyPromotions() throws Exception {
        int promotions = Integer.getInteger("failover.soak.promotions", 0);
        Assumptions.assumeTrue(promotions > 0, "failover.soak.promotions is 0");
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            // two ports that the servers take turns on: the URL never changes
            int[] ports = {primary.port(), replica.port()};
            List<Long> millis = new ArrayList<>();
            List<Long> toLock = new ArrayList<>();
            try (Nodes nodes = new Nodes().start(
                    ReplicatedPostgres.dataSource(ReplicatedPostgres.url(ports)), 3)) {
                awaitTerms(nodes, 1);
                for (int round = 0; round < promotions; round++) {
                    PromotionIT.handOver(nodes);
                    int before = nodes.terms();
                    primary.stop(PgServer.Stop.IMMEDIATE);
                    replica.promote();
                    long promoted = System.nanoTime();
                    Instant promotedAt = Instant.now();
                    awaitTerms(nodes, before + 1);
                    millis.add((System.nanoTime() - promoted) / 1_000_000);
                    long token = Tokens.of(nodes.history()).get(before);
                    toLock.add(Duration.between(promotedAt, nodes.times().acquired(token)).toMillis());
                    int freed = primary.port();
                    postgres.discard(primary);
                    primary = replica;
                    replica = postgres.replicaOn(primary, freed);
                }
                System.out.printf("%d promotions: promotion to the new leader's @PostConstruct %s (polled every 10 ms);"
                        + " to its lock %s (LeadershipAcquired.at); loaded machine%n", promotions, summary(millis),
                        summary(toLock));

                assertThat(nodes.history().maxRunning()).as("instances at once").isLessThanOrEqualTo(1);
                List<Long> tokens = Tokens.of(nodes.history());
                for (int i = 1; i < tokens.size(); i++) {
                    long earlierMax = tokens.subList(0, i).stream().mapToLong(Long::longValue).max().orElseThrow();
                    assertThat(tokens.get(i)).as("term %d's token after %s", i, tokens.subList(0, i))
                            .isGreaterThan(earlierMax);
                }
            }
        }
    }

    /** @return median, p95 and max of {@code millis}, and every value in the order measured */
    private static String summary(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return String.format("median %d ms, p95 %d ms, max %d ms, all %s", sorted.get(sorted.size() / 2),
                sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1), sorted.get(sorted.size() - 1), millis);
    }
}
