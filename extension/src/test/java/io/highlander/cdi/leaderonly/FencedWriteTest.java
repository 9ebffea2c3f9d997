package io.highlander.cdi.leaderonly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A leader-only run that outlives its term: the term is lost mid-run (the leader steps down while the run waits, as
 * a long GC pause would let it), another node runs and writes with a newer token, then the old run goes on. The
 * term's end interrupts it (docs/design/fencing.md §8), but a pause would not heed that, so the run waits on. It
 * notices ({@code isValid()} false, {@code check()} refuses), its stale write is rejected downstream by the token,
 * and the next firing on the old node is skipped.
 */
class FencedWriteTest {

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void aTermLostMidRunMakesCheckRefuseTheNextFiringSkipAndTheTokenRejectTheStaleWrite() throws Exception {
        DataSource downstream = cluster.dataSource();
        try (Connection connection = downstream.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(LongReport.TABLE);
        }
        cluster.share(DataSource.class, downstream);
        TestNode a = cluster.start(settings("a"), LongReport.class);
        TestNode b = cluster.start(settings("b"), LongReport.class);
        TestNode old = LeaderOnlyTest.awaitLeader("report", a, b);
        TestNode next = old == a ? b : a;
        long oldToken = old.elector().checkLeadership("report");

        CountDownLatch halfway = new CountDownLatch(1);
        CompletableFuture<Void> longRun = CompletableFuture.runAsync(() -> run(old, halfway));
        await().atMost(Duration.ofSeconds(20)).until(() -> !cluster.history().entries("write:1").isEmpty());
        old.elector().stepDown("report", Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(20)).until(() -> next.elector().isLeader("report"));
        long newToken = next.elector().checkLeadership("report");
        CountDownLatch done = new CountDownLatch(0);
        next.bean(LongReport.class).run(done);
        halfway.countDown();
        longRun.get();
        old.bean(LongReport.class).run(done); // the next firing on the old node

        assertThat(newToken).isGreaterThan(oldToken);
        assertThat(cluster.history().entries()).filteredOn(entry -> entry.node().equals(old.id())).containsExactly(
                new History.Entry(old.id(), "write:1", oldToken),
                new History.Entry(old.id(), "interrupted", oldToken),
                new History.Entry(old.id(), "valid:false", oldToken),
                new History.Entry(old.id(), "check:refused", oldToken),
                new History.Entry(old.id(), "write:0", oldToken));
        assertThat(old.elector().status("report").skippedCalls()).isEqualTo(1);
        try (Connection connection = downstream.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT token, node FROM report WHERE id = 1")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getLong("token")).isEqualTo(newToken);
            assertThat(row.getString("node")).isEqualTo(next.id());
        }
    }

    private static void run(TestNode node, CountDownLatch halfway) {
        try {
            node.bean(LongReport.class).run(halfway);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HighlanderSettings settings(String node) {
        return HighlanderSettings.builder().nodeId(node).lease(Duration.ofSeconds(2)).build();
    }
}
