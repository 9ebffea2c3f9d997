package io.highlander.cdi.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.SingletonState;
import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A failing singleton is restarted, then handed to another node; a hanging stop cannot hold the lock. */
class SupervisionTest {

    private static final String WORKER = "worker";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Script script = new Script();
    @RegisterExtension
    final TestCluster cluster = new TestCluster().share(Script.class, script);
    private final History history = cluster.history();
    private final LogRecorder log = LogRecorder.of("io.highlander");

    @AfterEach
    void releaseHangingStop() {
        script.releaseStop.countDown(); // before the cluster stops its nodes
        log.close();
    }

    @Test
    void failingStartIsRestartedOnTheSameNode() {
        script.failingStarts.set(2);
        TestNode node = startNode("a");

        await().atMost(PATIENCE).until(() -> history.running() == 1);

        assertThat(history.entries()).extracting(History.Entry::what)
                .containsSubsequence("failed-start", "failed-start", "start");
        assertThat(node.elector().status(WORKER).restarts()).isEqualTo(1);
        assertThat(node.elector().isLeader(WORKER)).isTrue();
        assertThat(log.messages()).anyMatch(m -> m.startsWith("HL-0410: worker: the singleton failed (1 in PT1M);"
                + " restarting it on this node in PT0.05S"));
    }

    @Test
    void anErrorFromPostConstructIsSupervisedLikeAnyFailure() {
        script.nextStartThrowsError = true;
        TestNode node = startNode("a");

        await().atMost(PATIENCE).until(() -> history.running() == 1);

        assertThat(history.entries()).extracting(History.Entry::what).containsSubsequence("failed-start", "start");
        assertThat(node.elector().status(WORKER).restarts()).isEqualTo(1);
        assertThat(node.bean(Worker.class).instance()).isPositive();
    }

    @Test
    void anErrorWhileCreatingTheInstanceIsSupervisedToo() {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("a")
                .lease(Duration.ofSeconds(2)).heartbeat(Duration.ofMillis(200)).standbyInterval(Duration.ofMillis(500))
                .restartPolicy(3, Duration.ofMinutes(1), Duration.ofMillis(50), Duration.ofSeconds(5)).build();
        TestNode node = cluster.start(settings, Doomed.class, LeadershipLog.class);

        await().atMost(PATIENCE).until(() -> !history.entries("lost:SINGLETON_FAILED").isEmpty());

        await().atMost(PATIENCE).until(() -> node.elector().status("doomed").state() == SingletonState.DISABLED);
        assertThat(log.messages()).contains("HL-0411: doomed: the singleton failed 3 times in PT1M;"
                + " this node steps down and stays out of the election for PT5S so that another node can try");
    }

    @Test
    void aCallDuringTheBackoffNeverCreatesTheInstance() throws InterruptedException {
        script.failingStarts.set(1);
        TestNode node = startNode("a", Duration.ofSeconds(1));
        await().atMost(PATIENCE).until(() -> !history.entries("failed-start").isEmpty());
        Thread caller = new Thread(() -> {
            while (history.running() == 0 && !Thread.currentThread().isInterrupted()) {
                try {
                    node.bean(Worker.class).instance();
                } catch (NotLeaderException e) {
                    // refused while there is no instance: what a caller must see
                }
            }
        }, "application-caller");

        caller.start();
        await().atMost(PATIENCE).until(() -> history.running() == 1);
        caller.interrupt();
        caller.join(PATIENCE.toMillis());

        assertThat(script.startThreads).hasSize(2).allMatch(name -> name.equals("highlander-worker-lifecycle"));
        assertThat(node.elector().status(WORKER).restarts()).isEqualTo(1);
    }

    @Test
    void anInstanceDestroyedByTheApplicationIsReplacedOnTheLifecycleThread() {
        TestNode node = startNode("a");
        await().atMost(PATIENCE).until(() -> history.running() == 1);
        jakarta.enterprise.inject.Instance<Worker> workers = node.container().select(Worker.class);
        int first = node.bean(Worker.class).instance();

        workers.destroy(workers.get());

        await().atMost(PATIENCE).until(() -> script.instances.get() == 2 && history.running() == 1);
        assertThat(node.bean(Worker.class).instance()).isNotEqualTo(first);
        assertThat(script.startThreads).hasSize(2).allMatch(name -> name.equals("highlander-worker-lifecycle"));
        assertThat(node.elector().status(WORKER).restarts()).isZero();
    }

    @Test
    void reportedFailureReplacesTheInstance() {
        TestNode node = startNode("a");
        await().atMost(PATIENCE).until(() -> history.running() == 1);
        int first = node.bean(Worker.class).instance();

        node.elector().reportFailure(WORKER, new IllegalStateException("worker thread died (test)"));

        await().atMost(PATIENCE).until(() -> script.instances.get() == 2 && history.running() == 1);
        assertThat(node.bean(Worker.class).instance()).isNotEqualTo(first);
        assertThat(history.entries()).extracting(History.Entry::what).containsSubsequence("start", "stop", "start");
    }

    @Test
    void singletonThatAlwaysFailsMakesTheNodeStepDownForTheCooldown() {
        script.failingStarts.set(-1);
        TestNode first = startNode("a");
        await().atMost(PATIENCE).until(() -> !history.entries("lost:SINGLETON_FAILED").isEmpty());
        TestNode second = startNode("b");

        await().atMost(PATIENCE).until(() -> first.elector().status(WORKER).state() == SingletonState.DISABLED);
        await().atMost(PATIENCE).until(() -> history.entries("failed-start").stream().anyMatch(e -> e.node().equals("b")));
        assertThat(history.entries("failed-start")).extracting(History.Entry::node).startsWith("a", "a", "a");
        assertThat(log.messages()).anyMatch(m -> m.equals("HL-0411: worker: the singleton failed 3 times in PT1M;"
                + " this node steps down and stays out of the election for PT5S so that another node can try"));
        assertThat(second.elector().status(WORKER).state()).isNotEqualTo(SingletonState.FAILED);
    }

    @Test
    void hangingPreDestroyDoesNotKeepTheLockPastTheLease() {
        TestNode first = startNode("a");
        await().atMost(PATIENCE).until(() -> history.running() == 1);
        TestNode second = startNode("b");
        script.hangOnStop = true;

        first.elector().stepDown(WORKER);

        await().atMost(PATIENCE).until(() -> second.elector().isLeader(WORKER));
        assertThat(log.messages()).anyMatch(m -> m.startsWith("HL-0404: worker: @PreDestroy did not return within PT2S"));
        assertThat(first.elector().status(WORKER).state())
                .as("a node whose instance is still stopping stays out").isEqualTo(SingletonState.STOPPING);
        script.releaseStop.countDown();
        await().atMost(PATIENCE).until(() -> first.elector().status(WORKER).state() == SingletonState.STANDBY);
    }

    @Test
    void aLostConnectionIsNotReportedAsASlowPreDestroy() throws java.sql.SQLException {
        TestNode first = startNode("a");
        await().atMost(PATIENCE).until(() -> history.running() == 1);
        TestNode second = startNode("b");
        script.hangOnStop = true;

        try (java.sql.Connection connection = cluster.dataSource().getConnection();
             java.sql.PreparedStatement terminate = connection.prepareStatement(
                     "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'highlander:a'")) {
            terminate.executeQuery().close();
        }
        await().atMost(PATIENCE).until(() -> second.elector().isLeader(WORKER));
        script.releaseStop.countDown();
        await().atMost(PATIENCE).until(() -> first.elector().status(WORKER).state() == SingletonState.STANDBY);

        // the server ended the session: the lock was gone at once, and no deadline for @PreDestroy was missed
        assertThat(log.messages()).noneMatch(m -> m.startsWith("HL-0404"));
    }

    private TestNode startNode(String id) {
        return startNode(id, Duration.ofMillis(50));
    }

    private TestNode startNode(String id, Duration backoff) {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId(id)
                .lease(Duration.ofSeconds(2)).heartbeat(Duration.ofMillis(200)).standbyInterval(Duration.ofMillis(500))
                .restartPolicy(3, Duration.ofMinutes(1), backoff, Duration.ofSeconds(5))
                .build();
        return cluster.start(settings, Worker.class, LeadershipLog.class);
    }
}
