package io.highlander.cdi.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A primary and its asynchronous streaming replica behind one multi-host URL ({@code targetServerType=primary}),
 * three nodes on it; the primary crashes and the replica is promoted. Checked on the record: never two instances
 * at once, a new leader after the promotion, and every fencing token after the promotion above every token
 * before it, even when the replica missed the last terms' commits.
 */
class PromotionIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void everyTokenAfterPromotingALaggingReplicaIsAboveEveryTokenBefore() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            long primarySystem = primary.queryLong("SELECT system_identifier FROM pg_control_system()");
            try (Nodes nodes = new Nodes().start(
                    ReplicatedPostgres.dataSource(ReplicatedPostgres.url(primary.port(), replica.port())), 3)) {
                awaitTerms(nodes, 1);

                replica.stop(PgServer.Stop.FAST); // from here on it misses every commit
                for (int i = 0; i < 3; i++) {
                    handOver(nodes);
                }
                primary.burnTransactionIds(50); // the application's own writes, which the replica misses too
                int before = nodes.terms();
                long highest = Tokens.highestOfFirst(nodes.history(), before);

                primary.stop(PgServer.Stop.IMMEDIATE);
                replica.start();
                replica.promote();
                long promoted = System.nanoTime();
                awaitTerms(nodes, before + 1);
                report("lagging replica promoted", promoted, nodes);
                long timeline = replica.timeline();
                await("every node's status shows the promoted server's timeline").atMost(PATIENCE)
                        .until(() -> nodes.all().stream().allMatch(node -> node.elector().status(Nodes.SINGLETON)
                                .database().orElse("").endsWith(":" + replica.port() + "/" + ReplicatedPostgres.DATABASE
                                        + " (cluster " + primarySystem + ", timeline " + timeline + ")")));

                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history()).isLessThanOrEqualTo(1);
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens after the promotion, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .isNotEmpty().allSatisfy(token -> assertThat(token).isGreaterThan(highest));
            }
        }
    }

    @Test
    void everyTokenAfterPromotingAnUpToDateReplicaIsAboveEveryTokenBefore() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            try (Nodes nodes = new Nodes().start(
                    ReplicatedPostgres.dataSource(ReplicatedPostgres.url(primary.port(), replica.port())), 3)) {
                awaitTerms(nodes, 1);
                for (int i = 0; i < 3; i++) {
                    handOver(nodes);
                }
                awaitReplayed(primary, replica);
                int before = nodes.terms();
                long highest = Tokens.highestOfFirst(nodes.history(), before);

                primary.stop(PgServer.Stop.IMMEDIATE);
                replica.promote();
                long promoted = System.nanoTime();
                awaitTerms(nodes, before + 1);
                report("up-to-date replica promoted", promoted, nodes);

                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history()).isLessThanOrEqualTo(1);
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens after the promotion, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .isNotEmpty().allSatisfy(token -> assertThat(token).isGreaterThan(highest));
            }
        }
    }

    /**
     * Patroni's switchover: the old primary is stopped ({@code pg_ctl stop -m fast}) while the leader runs on it,
     * the replica promoted, and the old primary started again as a standby of the new one. The old leader stops as
     * soon as its session is ended (as after {@code pg_terminate_backend}), the old primary, now a standby first in
     * the URL's list, is never used for locks, and the new terms' tokens are higher.
     */
    @Test
    void theOldPrimaryDemotedWhileAliveEndsTheOldLeaderAndIsNeverUsedForLocks() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            try (Nodes nodes = new Nodes().start(
                    ReplicatedPostgres.dataSource(ReplicatedPostgres.url(primary.port(), replica.port())), 3)) {
                awaitTerms(nodes, 1);
                handOver(nodes);
                int before = nodes.terms();
                long highest = Tokens.highestOfFirst(nodes.history(), before);

                primary.stop(PgServer.Stop.FAST);
                await("the old leader stops when its session ends").atMost(PATIENCE)
                        .until(() -> nodes.history().running() == 0);
                replica.promote();
                long promoted = System.nanoTime();
                primary.followAsStandby(replica);
                awaitTerms(nodes, before + 1);
                report("switchover, old primary back as a standby", promoted, nodes);
                handOver(nodes);

                assertThat(primary.queryLong("SELECT pg_is_in_recovery()::int")).as("old primary a standby").isEqualTo(1);
                assertThat(primary.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE"
                        + " 'highlander:%'")).as("node sessions on the old primary, now a standby").isZero();
                assertThat(nodes.history().entries()).extracting(e -> e.what())
                        .as("the old leader's term ended with its session").contains("lost:CONNECTION_LOST");
                assertThat(nodes.history().maxRunning()).as("instances at once: %s", nodes.history()).isLessThanOrEqualTo(1);
                assertThat(Tokens.after(nodes.history(), before))
                        .as("tokens after the promotion, above every token before it (%s); all: %s", highest,
                                Tokens.of(nodes.history()))
                        .isNotEmpty().allSatisfy(token -> assertThat(token).isGreaterThan(highest));
            }
        }
    }

    /** Waits until the replica replayed everything the primary wrote so far. */
    static void awaitReplayed(PgServer primary, PgServer replica) throws java.sql.SQLException {
        String written = primary.walPosition();
        await("replay up to " + written).atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> replica.queryLong("SELECT (pg_last_wal_replay_lsn() >= '" + written + "'::pg_lsn)::int") == 1);
    }

    /** Steps the leader down and waits until the next term began. */
    static void handOver(Nodes nodes) {
        int terms = nodes.terms();
        TestNode leader = await().atMost(PATIENCE).until(nodes::leader, java.util.Optional::isPresent).orElseThrow();
        leader.elector().stepDown(Nodes.SINGLETON);
        awaitTerms(nodes, terms + 1);
    }

    /** Waits until {@code count} terms began and a node leads. */
    static void awaitTerms(Nodes nodes, int count) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                .until(() -> nodes.terms() >= count && nodes.leader().isPresent());
    }

    /** Prints how long a new leader took after a failover, for the report (not a benchmark: a loaded machine). */
    static void report(String what, long since, Nodes nodes) {
        System.out.printf("%s: new leader %d ms after it (polled every 10 ms); tokens %s%n", what,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since), Tokens.of(nodes.history()));
    }
}
