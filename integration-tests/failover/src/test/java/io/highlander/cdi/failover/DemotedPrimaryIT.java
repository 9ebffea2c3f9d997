package io.highlander.cdi.failover;

import static io.highlander.cdi.failover.PromotionIT.awaitTerms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code pg_is_in_recovery()} flips on the server a node is pointed at: the primary is demoted while alive (as Patroni
 * does it: {@code pg_ctl stop -m fast}, then started as a standby of the promoted replica), with the node's URL
 * naming it alone. A server enters recovery only through a restart, which ends every session, so the leader stops as
 * it does after a {@code pg_terminate_backend} (the same path: the server ended its session with 57P01, {@code
 * lost:CONNECTION_LOST}, not the lease), and every session the node opens afterwards lands on a standby and is
 * refused there ({@code HL-0308}): no term ever begins on it. One node: after a {@code pg_terminate_backend} a second
 * node would take the freed lock at once, beside the first one's instance still stopping (fast takeover's documented
 * overlap after a server-side session end), which is not what this test is about. The times from each cause to the
 * node's {@code LeadershipLost.at} are printed, for the report.
 */
class DemotedPrimaryIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(10);

    @Test
    void aPrimaryDemotedWhileAliveEndsItsLeaderLikeATerminateAndIsNeverLedOn() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres();
             LogRecorder log = LogRecorder.of("io.highlander.cdi")) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            try (Nodes nodes = new Nodes().start(
                    ReplicatedPostgres.dataSource(ReplicatedPostgres.plainUrl(primary.port())), 1)) {
                awaitTerms(nodes, 1);

                // the reference: the server ends the leader's session (pg_terminate_backend)
                int first = nodes.terms();
                long firstToken = Tokens.of(nodes.history()).get(first - 1);
                Instant terminated = Instant.now();
                terminateLeaderSession(primary);
                await("the leader stops when its session is terminated").atMost(PATIENCE).pollInterval(POLL)
                        .until(() -> nodes.history().entries("stop").size() == 1);
                awaitTerms(nodes, first + 1); // the same node leads again, on the same server

                // the demotion: stopped fast, promoted elsewhere, started again as a standby
                long secondToken = Tokens.of(nodes.history()).get(nodes.terms() - 1);
                Instant stopped = Instant.now();
                primary.stop(PgServer.Stop.FAST);
                await("the leader stops when the server stops").atMost(PATIENCE).pollInterval(POLL)
                        .until(() -> nodes.history().entries("stop").size() == 2);
                replica.promote();
                primary.followAsStandby(replica);
                int demoted = nodes.terms();
                await("both terms' ends announced").atMost(PATIENCE).until(() -> ends(nodes).size() == 2);
                System.out.printf("demoted while alive: the node stopped serving %d ms after pg_ctl stop -m fast began;"
                        + " %d ms after pg_terminate_backend (LeadershipLost.at)%n",
                        Duration.between(stopped, nodes.times().lost(secondToken)).toMillis(),
                        Duration.between(terminated, nodes.times().lost(firstToken)).toMillis());

                await("the node refuses the standby (HL-0308)").atMost(PATIENCE).until(() -> log.messages().stream()
                        .anyMatch(m -> m.contains("HL-0308")));
                assertThat(nodes.terms()).as("terms on the demoted server: %s", nodes.history()).isEqualTo(demoted);
                assertThat(primary.queryLong("SELECT pg_is_in_recovery()::int")).as("old primary a standby").isEqualTo(1);
                assertThat(primary.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE"
                        + " 'highlander:%'")).as("node sessions on the standby").isZero();
                assertThat(ends(nodes)).as("how the two terms ended: the server ended their sessions, both times")
                        .containsExactly("lost:CONNECTION_LOST", "lost:CONNECTION_LOST");
            }
        }
    }

    /** @return how the terms ended so far, in order */
    private static List<String> ends(Nodes nodes) {
        return nodes.history().entries().stream().map(History.Entry::what).filter(what -> what.startsWith("lost:"))
                .toList();
    }

    /** Ends the backend that holds the singleton's lock, as an operator's {@code pg_terminate_backend} does. */
    private static void terminateLeaderSession(PgServer server) throws Exception {
        try (Connection admin = server.superuser(); PreparedStatement terminate = admin.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2"
                        + " AND granted");
             ResultSet rows = terminate.executeQuery()) {
            assertThat(rows.next()).as("a backend holds the singleton's lock").isTrue();
        }
    }
}
