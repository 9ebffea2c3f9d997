package io.highlander.cdi.internal.fence;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.LossReason;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * {@link TermWork} alone: which threads a term's end interrupts and for how long, and that its fenced connections are
 * aborted (a real connection to a real server) before its calls are interrupted. Each test records what the threads
 * saw and asserts on the record.
 */
class TermWorkTest {

    private static final long TERM = 7;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<String> record = new CopyOnWriteArrayList<>();
    private final Executor ownThread = task -> new Thread(task, "abort").start();
    private final TermWork work = new TermWork("report", "a", ownThread);

    @Test
    void aCallOfTheEndedTermIsInterruptedAndTheFlagDoesNotOutliveTheCall() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<Void> thread = onItsOwnThread(() -> {
            TermWork.Call call = work.enter(TERM);
            inside.countDown();
            record.add("call saw interrupt: " + parkUntilInterrupted());
            call.leave();
            record.add("after the call: " + Thread.currentThread().isInterrupted());
        });
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

        work.cancel(TERM, LossReason.STEPPED_DOWN);
        thread.get(60, TimeUnit.SECONDS);

        assertThat(record).containsExactly("call saw interrupt: true", "after the call: false");
        assertThat(work.callsInFlight()).isZero();
    }

    @Test
    void onlyTheEndedTermsCallsAreInterruptedAndACallThatLeftIsNever() throws Exception {
        TermWork.Call left = work.enter(TERM);
        left.leave();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        CompletableFuture<Void> later = onItsOwnThread(() -> {
            TermWork.Call call = work.enter(TERM + 1);
            inside.countDown();
            awaitQuietly(cancelled);
            record.add("call of the next term saw interrupt: " + Thread.currentThread().isInterrupted());
            call.leave();
        });
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

        work.cancel(TERM, LossReason.LEASE_EXPIRED); // without connections to abort, the interrupts are sent here
        cancelled.countDown();
        later.get(60, TimeUnit.SECONDS);
        record.add("this thread, whose call had left: " + Thread.interrupted());

        assertThat(record).containsExactly("call of the next term saw interrupt: false",
                "this thread, whose call had left: false");
    }

    @Test
    void anInnerCallLeavingKeepsTheInterruptForTheEnclosingCallOfTheSameTerm() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<Void> thread = onItsOwnThread(() -> {
            TermWork.Call outer = work.enter(TERM);
            TermWork.Call inner = work.enter(TERM);
            inside.countDown();
            record.add("inner saw interrupt: " + parkUntilInterrupted());
            inner.leave();
            record.add("outer after the inner call: " + Thread.currentThread().isInterrupted());
            outer.leave();
            record.add("after both: " + Thread.currentThread().isInterrupted());
        });
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

        work.cancel(TERM, LossReason.CONNECTION_LOST);
        thread.get(60, TimeUnit.SECONDS);

        assertThat(record).containsExactly("inner saw interrupt: true", "outer after the inner call: true",
                "after both: false");
    }

    @Test
    void theTermsOpenFencedConnectionIsAbortedBeforeTheCallIsInterruptedAndAClosedOneIsLeftAlone() throws Exception {
        DataSource database = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());
        Connection open = database.getConnection();
        open.setAutoCommit(false);
        Connection closed = database.getConnection();
        Connection otherTerm = database.getConnection();
        work.fenced(open, TERM);
        work.fenced(closed, TERM);
        work.fenced(otherTerm, TERM + 1);
        closed.close();
        CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<Void> thread = onItsOwnThread(() -> {
            TermWork.Call call = work.enter(TERM);
            inside.countDown();
            boolean interrupted = parkUntilInterrupted();
            record.add("interrupted: " + interrupted + ", its connection closed by then: " + isClosed(open));
            call.leave();
        });
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

        work.cancel(TERM, LossReason.STEPPED_DOWN);
        thread.get(60, TimeUnit.SECONDS);

        record.add("the other term's connection closed: " + otherTerm.isClosed());
        assertThat(record).containsExactly("interrupted: true, its connection closed by then: true",
                "the other term's connection closed: false");
        assertThat(work.fencedConnections()).as("only the other term's is still registered").isOne();
        otherTerm.close();
    }

    private static CompletableFuture<Void> onItsOwnThread(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "term-work-test");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // recorded by the caller: restore it below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Parks (which leaves the interrupt flag as it is) until interrupted or the wait is over. */
    private static boolean parkUntilInterrupted() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Thread.currentThread().isInterrupted() && deadline - System.nanoTime() > 0) {
            LockSupport.parkNanos(deadline - System.nanoTime());
        }
        return Thread.currentThread().isInterrupted();
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }
}
