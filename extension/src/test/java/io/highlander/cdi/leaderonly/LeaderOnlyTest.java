package io.highlander.cdi.leaderonly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.SingletonState;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code @LeaderOnly} and the injectable {@link Leadership}, on two nodes of one real database. */
class LeaderOnlyTest {

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void aLeaderOnlyNameWithoutASingletonIsAnElectionOfItsOwnAndOnlyItsLeaderRuns() {
        TestNode a = cluster.start(settings("a"), Sweeper.class);
        TestNode b = cluster.start(settings("b"), Sweeper.class);
        TestNode leader = awaitLeader("sweep", a, b);
        TestNode standby = leader == a ? b : a;
        // the standby's node session may still be opening when the leader's term begins
        await().atMost(Duration.ofSeconds(20))
                .until(() -> standby.elector().status("sweep").state() == SingletonState.STANDBY);

        for (int i = 0; i < 3; i++) {
            leader.bean(Sweeper.class).sweep();
            standby.bean(Sweeper.class).sweep();
        }

        long token = leader.elector().checkLeadership("sweep");
        assertThat(cluster.history().entries("sweep")).containsExactly(
                new History.Entry(leader.id(), "sweep", token), new History.Entry(leader.id(), "sweep", token),
                new History.Entry(leader.id(), "sweep", token));
        assertThat(standby.elector().status("sweep").skippedCalls()).isEqualTo(3);
        assertThat(leader.elector().status("sweep").skippedCalls()).isZero();
        assertThat(standby.elector().status("sweep").state()).isEqualTo(SingletonState.STANDBY);
    }

    @Test
    void twoMethodsOfOneBeanOnTwoElectionsAreEachGatedByTheirOwnWhenCalledInTurn() {
        TestNode b = cluster.start(settings("b"), AuditWork.class);
        awaitLeader("audit", b);
        TestNode a = cluster.start(settings("a"), TwoElectionsWork.class);
        awaitLeader("tally", a);
        TwoElectionsWork work = a.bean(TwoElectionsWork.class);

        for (int i = 0; i < 3; i++) {
            work.tally();
            work.audit();
        }

        long token = a.elector().checkLeadership("tally");
        assertThat(cluster.history().entries("tally")).containsExactly(new History.Entry("a", "tally", token),
                new History.Entry("a", "tally", token), new History.Entry("a", "tally", token));
        assertThat(cluster.history().entries("audit")).as("a does not lead audit: b does").isEmpty();
        assertThat(a.elector().status("audit").skippedCalls()).isEqualTo(3);
        assertThat(a.elector().status("tally").skippedCalls()).isZero();
    }

    @Test
    void aSkippedCallReturnsNothingAnEmptyFutureOrOptionalAndRefusesOtherReturnTypes() throws Exception {
        TestNode a = cluster.start(settings("a"), Sweeper.class);
        TestNode b = cluster.start(settings("b"), Sweeper.class);
        TestNode leader = awaitLeader("sweep", a, b);
        Sweeper onStandby = (leader == a ? b : a).bean(Sweeper.class);
        Sweeper onLeader = leader.bean(Sweeper.class);

        assertThat(onLeader.sweepLater().toCompletableFuture().get()).isEqualTo(leader.id());
        assertThat(onLeader.sweepInFuture().get()).isEqualTo(leader.id());
        assertThat(onLeader.sweepMaybe()).contains(leader.id());
        assertThat(onLeader.sweepAndAnswer()).isEqualTo(leader.id());

        CompletableFuture<String> later = onStandby.sweepLater().toCompletableFuture();
        assertThat(later).isCompleted();
        assertThat(later.get()).isNull();
        assertThat(onStandby.sweepInFuture().isDone()).isTrue();
        assertThat(onStandby.sweepInFuture().get()).isNull();
        assertThat(onStandby.sweepMaybe()).isEqualTo(Optional.empty());
        assertThat(catchThrowable(onStandby::sweepAndAnswer)).isInstanceOf(NotLeaderException.class)
                .hasMessageStartingWith("HL-0501: cluster singleton 'sweep' is not active on node ");
        assertThat(onStandby.node()).as("a method without the binding runs anywhere").isNotEqualTo(leader.id());
        assertThat((leader == a ? b : a).elector().status("sweep").skippedCalls()).isEqualTo(5);
    }

    @Test
    void aSkippedScheduledAsynchronousMethodReturnsNullSoThatItsScheduleGoesOn() throws Exception {
        TestNode a = cluster.start(settings("a"), Sweeper.class, CronSweeper.class);
        TestNode b = cluster.start(settings("b"), Sweeper.class, CronSweeper.class);
        TestNode leader = awaitLeader("sweep", a, b);
        CronSweeper onStandby = (leader == a ? b : a).bean(CronSweeper.class);

        // Concurrency 3.1 ends a runAt schedule for good once its method returns a non-null value
        assertThat(onStandby.sweepEverySecond()).as("a skipped firing of a scheduled method").isNull();
        CompletableFuture<String> once = onStandby.sweepOnce();
        assertThat(once).as("an @Asynchronous method without runAt still gets a completed future").isCompleted();
        assertThat(once.get()).isNull();
        assertThat((leader == a ? b : a).elector().status("sweep").skippedCalls()).isEqualTo(2);
    }

    @Test
    void skippedCallsAreLoggedOncePerTermChangeNotPerCall() {
        try (LogRecorder log = LogRecorder.of("io.highlander.cdi.internal.election.Election")) {
            TestNode a = cluster.start(settings("a"), Sweeper.class);
            TestNode b = cluster.start(settings("b"), Sweeper.class);
            TestNode leader = awaitLeader("sweep", a, b);
            TestNode standby = leader == a ? b : a;

            for (int i = 0; i < 50; i++) {
                standby.bean(Sweeper.class).sweep();
            }
            leader.elector().stepDown("sweep", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(20)).until(() -> standby.elector().isLeader("sweep"));
            for (int i = 0; i < 50; i++) {
                leader.bean(Sweeper.class).sweep();
            }

            assertThat(log.messages().stream().filter(message -> message.startsWith("HL-0420")).toList())
                    .containsExactly(
                            "HL-0420: sweep: node " + standby.id() + " does not lead, so it skips @LeaderOnly calls"
                                    + " (leader: " + leader.id() + "); said once per change of term",
                            "HL-0420: sweep: node " + leader.id() + " does not lead, so it skips @LeaderOnly calls"
                                    + " (leader unknown); said once per change of term");
            assertThat(leader.elector().status("sweep").skippedCalls()).isEqualTo(50);
        }
    }

    @Test
    void aClassLevelBindingFollowsTheSingletonOfThatNameAndTheSingletonInjectsItsOwnTerm() {
        TestNode a = cluster.start(settings("a"), Archive.class, Archiver.class);
        TestNode b = cluster.start(settings("b"), Archive.class, Archiver.class);
        TestNode leader = awaitLeader("archive", a, b);
        TestNode standby = leader == a ? b : a;

        leader.bean(Archiver.class).archive();
        standby.bean(Archiver.class).archive();

        long token = leader.elector().checkLeadership("archive");
        assertThat(cluster.history().entries("archive")).containsExactly(new History.Entry(leader.id(), "archive", token));
        Leadership term = leader.bean(Archive.class).leadership();
        assertThat(term.singleton()).isEqualTo("archive");
        assertThat(term.isValid()).isTrue();
        assertThat(term.check()).isEqualTo(token);
        assertThat(term.fencingToken()).isEqualTo(token);
        assertThat(term.since()).isNotNull();
        assertThat(leader.elector().status()).extracting(status -> status.singleton()).containsExactly("archive");

        leader.elector().stepDown("archive", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).until(() -> standby.elector().isLeader("archive"));

        assertThat(term.isValid()).as("the old instance's term is over").isFalse();
        assertThat(catchThrowable(term::check)).isInstanceOf(NotLeaderException.class);
        assertThat(term.fencingToken()).as("the token stays the term's").isEqualTo(token);
        Leadership byName = standby.container().select(Leadership.class, OfSingleton.Literal.of("archive")).get();
        assertThat(byName.check()).isGreaterThan(token);
    }

    @Test
    void leadershipByNameFollowsTheElection() {
        TestNode a = cluster.start(settings("a"), Sweeper.class);
        TestNode b = cluster.start(settings("b"), Sweeper.class);
        TestNode leader = awaitLeader("sweep", a, b);
        TestNode standby = leader == a ? b : a;
        Leadership onLeader = leader.container().select(Leadership.class, OfSingleton.Literal.of("sweep")).get();
        Leadership onStandby = standby.container().select(Leadership.class, OfSingleton.Literal.of("sweep")).get();

        long first = onLeader.check();
        assertThat(onStandby.isValid()).isFalse();
        assertThat(catchThrowable(onStandby::fencingToken)).isInstanceOf(NotLeaderException.class);

        leader.elector().stepDown("sweep", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).until(onStandby::isValid);

        assertThat(onStandby.check()).isGreaterThan(first);
        assertThat(onLeader.isValid()).isFalse();
        assertThat(catchThrowable(onLeader::check)).isInstanceOf(NotLeaderException.class);
    }

    static HighlanderSettings settings(String node) {
        return HighlanderSettings.builder().nodeId(node).lease(Duration.ofSeconds(2)).build();
    }

    static TestNode awaitLeader(String election, TestNode... nodes) {
        List<TestNode> all = List.of(nodes);
        await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().anyMatch(n -> n.elector().isLeader(election)));
        return all.stream().filter(n -> n.elector().isLeader(election)).findFirst().orElseThrow();
    }
}
