package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A wake ahead of a stop (rule L6), on a real node session: the thread that asks for it does not send the
 * watcher's notice itself (pgjdbc sends a cancel and waits for it on the calling thread), it hands the notice to the
 * scheduler's thread (which sends it, as before, from the watcher).
 */
class NodeSessionWakeAheadTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final DataSource dataSource = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());
    private final ConnectionSource connections = new ConnectionSource() {
        @Override
        public Connection connect() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public String description() {
            return "test database";
        }
    };
    private final HighlanderSettings settings = HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(10))
            .heartbeat(Duration.ofSeconds(3)).standbyInterval(Duration.ofSeconds(1)).build();
    private final LifecycleThreads threads = LifecycleThreads.forApplication();
    private final ScheduledExecutorService watchdog = threads.scheduler("test-watchdog");
    /** What was handed to the scheduler, and from which thread, with its delay: recorded, run by the test. */
    private final List<Runnable> handed = new CopyOnWriteArrayList<>();
    private final List<String> record = new CopyOnWriteArrayList<>();
    private final Scheduler recording = (task, delayNanos) -> {
        record.add(Thread.currentThread().getName() + " handed a task due in " + delayNanos + " ns");
        if (delayNanos == 0) {
            handed.add(task);
        } else {
            Scheduler.of(watchdog).schedule(task, delayNanos);
        }
    };
    private final NodeSession node = new NodeSession(settings, connections, threads, recording);
    private final ScriptedInstances instances = new ScriptedInstances();
    private final Election election = new Election("ticker", null, settings, null, node.loop(), e -> instances,
            (task, delay) -> { }, System::nanoTime);

    @AfterEach
    void stop() {
        election.requestClose();
        instances.stopped.forEach(stopped -> stopped.complete(null)); // @PreDestroy returned
        handed.forEach(Runnable::run);
        node.awaitEnd(PATIENCE.toMillis());
        watchdog.shutdownNow();
    }

    @Test
    void aStopExpectedHandsTheWatchersNoticeToTheSchedulersThread() {
        node.start();
        await().atMost(PATIENCE).until(() -> election.state().runningTerm() != null && node.inLongRead());
        int notices = handed.size();

        node.stopExpected();

        assertThat(record).as("the caller handed the notice on; it did not send it (and schedule its retry) itself")
                .contains(Thread.currentThread().getName() + " handed a task due in 0 ns")
                .noneMatch(line -> line.startsWith(Thread.currentThread().getName()) && !line.endsWith(" 0 ns"));
        assertThat(handed).hasSize(notices + 1);
    }
}
