package io.highlander.cdi.failover;

import static io.highlander.cdi.failover.PromotionIT.awaitTerms;
import static io.highlander.cdi.failover.PromotionIT.handOver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.LogRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Another PostgreSQL cluster (a fresh {@code initdb}, as after a dump restored elsewhere or a blue/green switch)
 * behind the same URL, while the nodes run: its transaction ids start again, so its tokens are below those handed
 * out. The nodes must not lead with them: each says so once (HL-0342); restarted with {@code highlander.token-floor}
 * at the highest old token, as that line says, they lead with tokens above every old one.
 */
class OtherClusterIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void anotherClusterBehindTheSameUrlNeverGetsALowerTokenHandedOut() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres();
             LogRecorder log = LogRecorder.of("io.highlander.cdi")) {
            PgServer first = postgres.newCluster(0);
            try (Nodes nodes = new Nodes().start(
                    ReplicatedPostgres.dataSource(ReplicatedPostgres.url(first.port())), 3)) {
                awaitTerms(nodes, 1);
                first.burnTransactionIds(300); // well above where a fresh cluster's ids start
                handOver(nodes);
                handOver(nodes);
                int before = nodes.terms();
                long highest = Tokens.highestOfFirst(nodes.history(), before);

                first.stop(PgServer.Stop.IMMEDIATE);
                PgServer second = postgres.newCluster(first.port());
                await("a node refuses the other cluster's lower token, or leads with it").atMost(PATIENCE)
                        .until(() -> nodes.terms() > before
                                || log.messages().stream().anyMatch(m -> m.startsWith("HL-034")));
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens on the other cluster, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .allSatisfy(token -> assertThat(token).isGreaterThan(highest));
                await("every node refuses the other cluster").atMost(PATIENCE).until(() -> log.messages().stream()
                        .filter(m -> m.startsWith("HL-0342")).count() >= 3);
                assertThat(nodes.terms()).as("terms on the other cluster: %s", nodes.history()).isEqualTo(before);
                assertThat(log.messages()).as("the log says which cluster each session is on")
                        .anyMatch(m -> m.startsWith("HL-0450") && m.contains("before on"));

                // what HL-0342 says to do when the move is intended: the floor on every node, and a restart
                nodes.stopAll();
                nodes.start(ReplicatedPostgres.dataSource(ReplicatedPostgres.url(second.port())), 3,
                        settings -> settings.tokenFloor(highest));
                awaitTerms(nodes, before + 1);

                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history()).isLessThanOrEqualTo(1);
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens on the other cluster, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .isNotEmpty().allSatisfy(token -> assertThat(token).isGreaterThan(highest));
            }
        }
    }
}
