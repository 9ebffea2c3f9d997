package io.highlander.cdi.failover;

import static io.highlander.cdi.failover.PromotionIT.awaitTerms;
import static io.highlander.cdi.failover.PromotionIT.handOver;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The database behind the URL goes back in time: the cluster is restored from a base backup and its WAL archive
 * to an earlier point (PITR), on the same port. Transaction ids continue from that point, below ids already handed
 * out; the tokens must not.
 */
class RestoreIT {

    @Test
    void everyTokenAfterARestoreToAnEarlierPointIsAboveEveryTokenBefore() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            Path backup = postgres.baseBackup(primary);
            try (Nodes nodes = new Nodes().start(
                    ReplicatedPostgres.dataSource(ReplicatedPostgres.url(primary.port())), 3)) {
                awaitTerms(nodes, 1);
                String earlier = primary.walPosition(); // the point the restore goes back to
                for (int i = 0; i < 3; i++) {
                    handOver(nodes);
                }
                primary.burnTransactionIds(50);
                postgres.archiveNow(primary);
                int before = nodes.terms();
                long highest = Tokens.highestOfFirst(nodes.history(), before);

                primary.stop(PgServer.Stop.IMMEDIATE);
                PgServer restored = postgres.restore(backup, primary.port(), earlier);
                long back = System.nanoTime();
                awaitTerms(nodes, before + 1);
                PromotionIT.report("restored to an earlier point", back, nodes);

                assertThat(restored.timeline()).as("the restored cluster's timeline").isGreaterThan(1);
                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history()).isLessThanOrEqualTo(1);
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens after the restore, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .isNotEmpty().allSatisfy(token -> assertThat(token).isGreaterThan(highest));
            }
        }
    }
}
