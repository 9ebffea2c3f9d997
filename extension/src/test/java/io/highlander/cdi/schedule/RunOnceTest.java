package io.highlander.cdi.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.election.Elections;
import io.highlander.cdi.internal.schedule.RunLedger;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hand-overs forced at a scheduled instant, on two Weld nodes of one real database. The tests play the schedulers:
 * each call is one node's timer firing, with the scheduled time that node meant (a node whose clock is behind fires
 * the same instant later). Asserted on the recorded history of runs.
 */
class RunOnceTest {

    /** An hourly instant: 10:00 on a day of the past (the record does not care). */
    private static final Instant TEN = Instant.parse("2026-12-07T10:00:00Z");

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void anInstantTheOldLeaderRanIsNotRunAgainWhenTheNewLeadersSkewedTimerFiresItLater() throws Exception {
        createLedger();
        TestNode a = node("a");
        awaitLeader(a);
        TestNode b = node("b");

        a.bean(InstantJob.class).report(TEN); // the old leader's timer fires 10:00 and runs it
        a.close(); // hand-over right after the instant
        awaitLeader(b);
        b.bean(InstantJob.class).report(TEN.plusMillis(300)); // b's clock is 300 ms behind: its 10:00 comes later
        b.bean(InstantJob.class).report(TEN.plus(1, ChronoUnit.HOURS).plusMillis(300)); // and 11:00

        assertThat(runsByHour("report:")).as("the nodes that ran each hour: %s", cluster.history())
                .isEqualTo(Map.of(TEN, List.of("a"), TEN.plus(1, ChronoUnit.HOURS), List.of("b")));
        assertThat(ledgerRows()).isEqualTo(2);
    }

    @Test
    void withLeaderOnlyAloneTheSameHandOverRunsTheInstantTwice() {
        TestNode a = node("a");
        awaitLeader(a);
        TestNode b = node("b");

        a.bean(InstantJob.class).plainReport(TEN);
        a.close();
        awaitLeader(b);
        b.bean(InstantJob.class).plainReport(TEN.plusMillis(300));

        assertThat(runsByHour("plain-report:")).as("what @RunOnce prevents")
                .isEqualTo(Map.of(TEN, List.of("a", "b")));
    }

    @Test
    void anInstantMissedDuringTheHandOverIsRunByTheNewLeaderWithinTheMisfireGrace() throws Exception {
        createLedger();
        TestNode a = node("a");
        awaitLeader(a);
        TestNode b = node("b");
        // a stopped just before 10:00 (its timer fires no more) but still holds the lock; b's timer fires 10:00
        Thread firing = fire(() -> b.bean(InstantJob.class).lateReport(TEN));
        await("b's firing waits, as b does not lead").atMost(Duration.ofSeconds(30))
                .until(() -> firing.getState() == Thread.State.TIMED_WAITING);
        cluster.history().add("test", "a closed", 0);
        a.close(); // now b wins, after its timer fired
        firing.join(Duration.ofSeconds(60).toMillis());

        assertThat(firing.isAlive()).isFalse();
        assertThat(runsByHour("late-report:")).as("the history: %s", cluster.history())
                .isEqualTo(Map.of(TEN, List.of("b")));
        assertThat(order()).as("b ran it after a was gone").containsSubsequence("test:a closed", "b:late-report:" + TEN);
    }

    @Test
    void aFiringThatWaitedIsSkippedIfTheOldLeaderHadRunTheInstant() throws Exception {
        createLedger();
        TestNode a = node("a");
        awaitLeader(a);
        TestNode b = node("b");
        Thread firing = fire(() -> b.bean(InstantJob.class).lateReport(TEN.plusMillis(300)));
        await().atMost(Duration.ofSeconds(30)).until(() -> firing.getState() == Thread.State.TIMED_WAITING);
        a.bean(InstantJob.class).lateReport(TEN); // the old leader fires 10:00 and runs it, then stops
        a.close();
        firing.join(Duration.ofSeconds(60).toMillis());

        assertThat(firing.isAlive()).isFalse();
        assertThat(b.elector().isLeader(InstantJob.NAME)).isTrue();
        assertThat(runsByHour("late-report:")).isEqualTo(Map.of(TEN, List.of("a")));
    }

    @Test
    void withoutAMisfireGraceAnInstantMissedDuringTheHandOverIsSkipped() throws Exception {
        createLedger();
        TestNode a = node("a");
        awaitLeader(a);
        TestNode b = node("b");

        b.bean(InstantJob.class).report(TEN); // returns at once: b does not lead, and the policy is to skip
        a.close();
        awaitLeader(b);
        b.bean(InstantJob.class).report(TEN.plus(1, ChronoUnit.HOURS));

        assertThat(runsByHour("report:")).isEqualTo(Map.of(TEN.plus(1, ChronoUnit.HOURS), List.of("b")));
    }

    @Test
    void aMissingTableFailsTheFiringWithTheStatementThatCreatesIt() {
        TestNode a = node("a");
        awaitLeader(a);
        String database = ((Elections) a.elector()).connections().description();

        assertThatThrownBy(() -> a.bean(InstantJob.class).report(TEN)).isInstanceOf(IllegalStateException.class)
                .hasMessage("HL-0480: @RunOnce records each scheduled instant in the table highlander_scheduled_run,"
                        + " which is missing in the database of the elections (" + database + "); create it there:"
                        + " CREATE TABLE highlander_scheduled_run (election text NOT NULL, job text NOT NULL,"
                        + " instant timestamptz NOT NULL, fencing_token bigint NOT NULL, node text NOT NULL,"
                        + " recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (election, job, instant));");
        assertThat(runsByHour("report:")).isEmpty();
    }

    @Test
    void aTableWithoutItsPrimaryKeyFailsTheFiringRatherThanRiskATwiceRunInstant() throws Exception {
        execute("CREATE TABLE highlander_scheduled_run (election text, job text, instant timestamptz,"
                + " fencing_token bigint, node text, recorded_at timestamptz DEFAULT now())");
        TestNode a = node("a");
        awaitLeader(a);

        assertThatThrownBy(() -> a.bean(InstantJob.class).report(TEN)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("HL-0488: the table highlander_scheduled_run in the database of the elections")
                .hasMessageContaining("has no primary key (election, job, instant)");
        assertThat(runsByHour("report:")).isEmpty();
    }

    private TestNode node(String id) {
        return cluster.start(HighlanderSettings.builder().nodeId(id).lease(Duration.ofSeconds(2)).build(),
                InstantJob.class);
    }

    private static void awaitLeader(TestNode node) {
        await().atMost(Duration.ofSeconds(30)).until(() -> node.elector().isLeader(InstantJob.NAME));
    }

    private static Thread fire(Runnable firing) {
        Thread thread = new Thread(firing, "test-timer");
        thread.start();
        return thread;
    }

    /** @return for each hour, the nodes that ran a firing of it, in order */
    private Map<Instant, List<String>> runsByHour(String prefix) {
        return cluster.history().entries().stream().filter(entry -> entry.what().startsWith(prefix))
                .collect(Collectors.groupingBy(
                        entry -> Instant.parse(entry.what().substring(prefix.length())).truncatedTo(ChronoUnit.HOURS),
                        TreeMap::new, Collectors.mapping(History.Entry::node, Collectors.toList())));
    }

    private List<String> order() {
        return cluster.history().entries().stream().map(entry -> entry.node() + ":" + entry.what()).toList();
    }

    private void createLedger() throws SQLException {
        execute(RunLedger.DDL);
    }

    private long ledgerRows() throws SQLException {
        try (Connection c = cluster.dataSource().getConnection(); Statement s = c.createStatement();
             var rows = s.executeQuery("SELECT count(*) FROM highlander_scheduled_run")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = cluster.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
