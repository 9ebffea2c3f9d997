package io.highlander.cdi.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A primary that requires a synchronous standby ({@code synchronous_standby_names = '*'}, as Patroni's synchronous
 * mode sets it) while no standby is connected: every commit that waits for one waits for ever. The nodes' sessions
 * must never wait there, least of all while holding locks: a leader runs, hands over, and no backend of theirs
 * waits in {@code SyncRep}.
 */
class SynchronousStandbyIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aSynchronousStandbyThatIsDownNeitherBlocksATakeoverNorHoldsTheLocks() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer standby = postgres.replicaOf(primary);
            primary.alterSystem("synchronous_standby_names", "*");
            standby.stop(PgServer.Stop.FAST);
            try (Nodes nodes = new Nodes().start(
                    ReplicatedPostgres.dataSource(ReplicatedPostgres.url(primary.port())), 2)) {
                try {
                    await("a leader while the synchronous standby is down").atMost(PATIENCE)
                            .until(() -> nodes.terms() >= 1 && nodes.history().running() == 1);
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("no leader; our backends waiting in SyncRep: "
                            + waitingForAStandby(primary), e);
                }
                PromotionIT.handOver(nodes);

                assertThat(waitingForAStandby(primary)).as("our backends waiting in SyncRep").isZero();
                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history())
                        .isLessThanOrEqualTo(1);
            }
        }
    }

    private static int waitingForAStandby(PgServer server) throws SQLException {
        try (Connection c = server.superuser(); PreparedStatement q = c.prepareStatement("SELECT count(*)"
                + " FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND application_name LIKE 'highlander:%'");
             ResultSet row = q.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }
}
