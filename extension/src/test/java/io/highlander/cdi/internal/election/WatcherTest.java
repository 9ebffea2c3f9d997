package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.lock.LiveNode;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watcher's driver thread against a scripted connection (the loop's decisions are WatcherLoopTest's; here,
 * which requests cost a cancel). A cancel opens a connection to the server and forks a backend there, and it
 * cancels whatever statement runs when it lands: it is for ending a wait, and nothing else.
 */
class WatcherTest {

    private static final int OTHER_NODE = 2;

    private final HighlanderSettings settings = HighlanderSettings.builder().nodeId("a")
            .watcherWait(Duration.ofSeconds(30)).build();
    private final ScriptedConnection connection = new ScriptedConnection();
    private final Sessions sessions = new WatcherOnlySessions(connection);
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    private final NodeLoop node = new NodeLoop(settings, sessions, System::nanoTime, () -> 1);
    private final Watcher watcher = new Watcher(node, settings, sessions, LifecycleThreads.forApplication(),
            Scheduler.of(retries));

    @AfterEach
    void stop() {
        watcher.close(TimeUnit.SECONDS.toMillis(5));
        retries.shutdownNow();
    }

    @Test
    void aGoneTheWatcherSawItselfAsksNoWakeAndNoCancel() {
        // as NodeSession does while its lock thread reads the socket: every posted event asks for a wake notice
        node.drive(new NodeLoop.Driver() {
            @Override
            public void wake() {
                watcher.wake();
            }

            @Override
            public void awaitEnd(long millis) {
            }
        });
        watcher.start(); // (its own request to start may cancel the first wait: that one is not counted below)
        await().atMost(Duration.ofSeconds(10)).until(() -> connection.inWait);
        int waits = connection.waits.get();
        int cancels = connection.cancels.get();

        connection.outcomes.add(Boolean.TRUE); // the watched node's liveness lock is granted: that node is gone

        await().atMost(Duration.ofSeconds(10)).until(() -> connection.waits.get() > waits && connection.inWait);
        assertThat(connection.sent).as("rule W6: the gone notice the watcher sent ends its node's read; a wake notice"
                + " more only ended every node's read again").noneMatch(Notice.Wake.class::isInstance);
        assertThat(connection.cancels.get() - cancels).as("the gone came from the watcher's own thread, out of any wait: nothing to "
                + "cancel (before issue 22 it cancelled whatever ran next, and forked a backend for it)").isZero();
    }

    @Test
    void manyWakesAskedDuringOneWaitCostOneCancelAndOneNotice() {
        ScriptedConnection slow = new ScriptedConnection();
        slow.cancelsEndWaits = false; // the wait ends when the test says: every wake below lands in the same wait
        Sessions slowSessions = new WatcherOnlySessions(slow);
        NodeLoop slowNode = new NodeLoop(settings, slowSessions, System::nanoTime, () -> 1);
        List<Runnable> resends = new CopyOnWriteArrayList<>(); // kept, never run: no re-send within this test
        Watcher held = new Watcher(slowNode, settings, slowSessions, LifecycleThreads.forApplication(),
                (task, delayNanos) -> resends.add(task));
        try {
            held.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.inWait);
            int cancels = slow.cancels.get();

            for (int i = 0; i < 20; i++) {
                held.wake(); // as twenty events posted from other threads while the node's lock thread reads
            }
            int cancelsDuringTheWait = slow.cancels.get() - cancels;
            slow.outcomes.add(ScriptedConnection.CANCELLED); // the one cancel lands

            await().atMost(Duration.ofSeconds(10)).until(() -> slow.waits.get() > 1 && slow.inWait);
            assertThat(cancelsDuringTheWait).as("rule W6: cancels of the one wait (each forks a backend and logs an"
                    + " ERROR on the server; one landing after the wait fails the next statement)").isEqualTo(1);
            assertThat(slow.sent).filteredOn(Notice.Wake.class::isInstance).hasSize(1);
            assertThat(resends).as("one chain of re-sends").hasSize(1);
        } finally {
            slow.cancelsEndWaits = true;
            held.close(TimeUnit.SECONDS.toMillis(5));
        }
    }

    @Test
    void aWakeAskedDuringAWaitStillCancelsIt() {
        watcher.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> connection.inWait);

        watcher.wake();

        await().atMost(Duration.ofSeconds(10)).until(() -> connection.sent.stream().anyMatch(Notice.Wake.class::isInstance));
        assertThat(connection.cancels.get()).isPositive();
    }

    /** A watcher's connection whose waits end when the test says, or when cancelled; it counts the cancels. */
    private static final class ScriptedConnection implements WatcherStatements {
        private static final Boolean CANCELLED = Boolean.FALSE;
        final BlockingQueue<Boolean> outcomes = new LinkedBlockingQueue<>();
        final AtomicInteger waits = new AtomicInteger();
        final AtomicInteger cancels = new AtomicInteger();
        final List<Notice> sent = new CopyOnWriteArrayList<>();
        volatile boolean released;
        volatile boolean inWait;
        volatile boolean cancelsEndWaits = true;

        @Override
        public List<LiveNode> liveNodes(int namespace) {
            return List.of(new LiveNode(OTHER_NODE, 1000 + OTHER_NODE));
        }

        @Override
        public boolean awaitGone(Notice.Gone gone) throws SQLException {
            Boolean outcome;
            inWait = true;
            waits.incrementAndGet();
            try {
                outcome = outcomes.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted", "57014");
            } finally {
                inWait = false;
            }
            if (outcome == CANCELLED) {
                throw new SQLException("canceling statement due to user request", "57014");
            }
            return true;
        }

        @Override
        public void notify(Notice notice) {
            sent.add(notice);
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
            if (inWait && cancelsEndWaits) {
                outcomes.add(CANCELLED); // like the server: it ends the wait in flight, and is ignored by an idle session
            }
        }

        @Override
        public boolean ended() {
            return released;
        }

        @Override
        public void release() {
            released = true;
        }

        @Override
        public void abandon() {
            released = true;
        }
    }
}
