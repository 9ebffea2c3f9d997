package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.internal.election.ElectionState.Phase;
import io.highlander.cdi.internal.lock.Lease;
import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.testing.LogRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An election's transitions, driven by hand: a fake clock, the watchdog's tasks run when the test says, the
 * instance's start and stop completed by the test. No thread, no database.
 */
class ElectionTest {

    private static final Duration LEASE = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final HighlanderSettings settings = HighlanderSettings.builder().nodeId("a").lease(LEASE)
            .heartbeat(Duration.ofSeconds(2)).build();
    private final List<Timed> watchdog = new ArrayList<>();
    private final ScriptedInstances instances = new ScriptedInstances();
    private final NodeLoop loop = new NodeLoop(settings, new NoSessions(), ticker, () -> 1);
    private final Election election = new Election("ticker", null, settings, null, loop, e -> instances,
            (task, delay) -> watchdog.add(new Timed(ticker.getAsLong() + delay, task)), ticker);

    @Test
    void aTermRunsFromItsBeginThroughItsServeUntilItEndsAndItsLockIsLetGo() {
        Term term = term();
        election.standby();
        assertThat(election.state().phase()).isEqualTo(Phase.STANDBY);
        assertThat(election.begin(term)).isTrue();
        assertThat(election.state().phase()).isEqualTo(Phase.ACQUIRED);
        assertThat(instances.started).containsExactly(term);
        assertThat(election.serve(term)).isTrue();
        assertThat(election.isLeader()).isTrue();

        election.stepDown(Duration.ZERO);
        assertThat(election.state().phase()).isEqualTo(Phase.ENDING);
        assertThat(election.isLeader()).as("calls are refused from the end on").isFalse();
        assertThat(election.letGo(term, false)).isTrue();
        assertThat(election.state().phase()).isEqualTo(Phase.STOPPING);
        election.finish(term);
        assertThat(election.state().phase()).as("out for the step-down's courtesy").isEqualTo(Phase.DISABLED);
    }

    @Test
    void aTermBeginsOnlyFromStandbyAndNeverWhileClosing() {
        assertThat(election.begin(term())).as("still STARTING").isFalse();
        election.standby();
        election.requestClose();
        assertThat(election.begin(term())).isFalse();
    }

    @Test
    void anOverrunGracefulStopIsAnnouncedUnclean() {
        FakeLock lock = new FakeLock();
        Term term = leading(lock);
        election.stepDown(Duration.ZERO);
        instances.destroying.get(0).complete(ticker.getAsLong()); // @PreDestroy begins and does not return

        ticker.advance(LEASE);
        runDueWatchdogTasks();

        assertThat(lock.outcome).as("the instance may still run: not a clean release").isEqualTo("abandoned "
                + LossReason.STEPPED_DOWN);
        assertThat(term.lease().isValid()).isFalse();
    }

    @Test
    void aStopThatOverranItsBoundIsReportedAsSlow() {
        leading(new FakeLock());
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            election.stepDown(Duration.ZERO);
            instances.destroying.get(0).complete(ticker.getAsLong());
            ticker.advance(LEASE);
            runDueWatchdogTasks();
            assertThat(log.messages()).anyMatch(m -> m.startsWith("HL-0404: ticker: @PreDestroy did not return"));
        }
    }

    @Test
    void aDeadlineThatPassedWhileTheJvmWasStoppedIsNotASlowPreDestroy() {
        leading(new FakeLock());
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            election.stepDown(Duration.ZERO);
            ticker.advance(LEASE.plusSeconds(5)); // frozen: neither @PreDestroy nor the watchdog ran meanwhile
            instances.destroying.get(0).complete(ticker.getAsLong()); // on waking, both run at once
            runDueWatchdogTasks();
            assertThat(log.messages()).noneMatch(m -> m.startsWith("HL-0404"));
        }
    }

    private Term leading(FakeLock lock) {
        Term term = new Term(42, lease(), lock, Instant.now());
        election.standby();
        election.begin(term);
        election.serve(term);
        return term;
    }

    private Term term() {
        return new Term(42, lease(), new FakeLock(), Instant.now());
    }

    private Lease lease() {
        Lease lease = new Lease(LEASE, settings.stopMargin(), ticker);
        lease.begin(ticker.getAsLong());
        return lease;
    }

    private void runDueWatchdogTasks() {
        boolean ran = true;
        while (ran) {
            ran = false;
            for (Timed timed : List.copyOf(watchdog)) {
                if (ticker.getAsLong() - timed.at >= 0) {
                    watchdog.remove(timed);
                    timed.task.run();
                    ran = true;
                }
            }
        }
    }

    private record Timed(long at, Runnable task) {
    }

    private static final class FakeLock implements TermLock {
        String outcome;

        @Override
        public void release() {
            outcome = "released";
        }

        @Override
        public void abandon(LossReason reason) {
            outcome = "abandoned " + reason;
        }

        @Override
        public boolean isLetGo() {
            return outcome != null;
        }

        @Override
        public long holdBeforeStartNanos() {
            return 0;
        }
    }

    private static final class NoSessions implements Sessions {
        @Override
        public NodeStatements openNode(String label) {
            throw new UnsupportedOperationException();
        }

        @Override
        public WatcherStatements openWatcher(String label) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String description() {
            return "none";
        }
    }
}
