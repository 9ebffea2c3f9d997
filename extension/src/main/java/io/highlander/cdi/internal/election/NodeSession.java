package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.PostgresSessions;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The production driver of the {@link NodeLoop}: the node's <b>lock thread</b> ({@code highlander-node-lock}),
 * the only thread that steps the loop and so the only one that speaks on the node session. Between steps it
 * waits in a socket read of the node session ({@code LISTEN}, pgjdbc's {@code getNotifications}), so that the
 * server ending the session is seen at once and a notice is acted on at once; the read is bounded by the step's
 * due time and slice. An event posted from another thread ends a park at once (an unpark), and a socket read
 * through the node's {@link Watcher}, which sends a {@code wake} notice from the second connection (a thread
 * blocked in a socket read ignores interrupts, and pgjdbc holds the connection's lock during the read). A wake ahead
 * of a stop has that notice sent from the watchdog's thread, so that the stopping thread does not wait for it (rule
 * L6 of docs/design/election.md).
 *
 * <p>It holds no election logic: every decision is the loop's (see docs/design/election.md).
 */
final class NodeSession implements NodeLoop.Driver {

    static final String THREAD_NAME = "highlander-node-lock";

    private final LifecycleThreads threads;
    /** Where a wake ahead of a stop sends its notice: not the thread that goes on with the stop (rule L6). */
    private final Scheduler scheduler;
    /** The watcher's wake as a task, made once here: no class is linked on a stop's path. */
    private final Runnable noticeAhead;
    private final NodeLoop loop;
    private final Watcher watcher;
    private volatile Thread thread;
    /** Whether the lock thread is in a socket read now: a wake must then go through the watcher's notice. */
    private volatile boolean readingSocket;
    /** The bound of that read: one of a millisecond ends by itself, with no notice ({@link SocketReads}). */
    private volatile long readNanos;
    private final SocketReads reads = new SocketReads(System::nanoTime);
    private volatile NodeStatements reading;

    NodeSession(HighlanderSettings settings, ConnectionSource connections, LifecycleThreads threads,
                Scheduler scheduler) {
        this.threads = threads;
        this.scheduler = scheduler;
        PostgresSessions sessions = new PostgresSessions(connections, settings.nodeId(), settings.lease(),
                settings.standbyInterval(), settings.watcherWait(),
                settings.takeover() == HighlanderSettings.Takeover.STRICT, settings.tokenFloor());
        SecureRandom random = new SecureRandom();
        this.loop = new NodeLoop(settings, sessions, System::nanoTime, random::nextInt);
        this.watcher = new Watcher(loop, settings, sessions, threads, scheduler);
        this.noticeAhead = watcher::wake;
        loop.drive(this);
        loop.watchWith(watcher);
    }

    /** @return the loop this thread drives */
    NodeLoop loop() {
        return loop;
    }

    void start() {
        thread = threads.newThread(THREAD_NAME, this::run);
        thread.start(); // the watcher starts once the node session is open: see NodeLoop.open()
    }

    @Override
    public void wake() {
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
        if (readingSocket && SocketReads.needsNotice(readNanos)) {
            watcher.wake(); // the thread is in a socket read: only a notice reaches it
        }
    }

    /**
     * Any thread: as {@link #wake()}, but a notice is sent from the scheduler's thread. A notice costs the watcher's
     * cancel, which pgjdbc sends and waits for on the calling thread (a connection to the server, a forked backend):
     * the thread that asked for a step-down or runs the container's shutdown goes on with the stop meanwhile.
     */
    @Override
    public void wakeAhead() {
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
        if (readingSocket && SocketReads.needsNotice(readNanos)) {
            scheduler.schedule(noticeAhead, 0);
        }
    }

    /**
     * Any thread: a graceful stop is coming (the container began to shut down). The wake starts now, while the
     * container is still at work, and the reads stay short, so that neither the stop's start nor its end waits for
     * the watcher's notice (issue 22).
     */
    void stopExpected() {
        reads.stopExpected();
        wakeAhead(); // the container's shutdown goes on at once: the watcher's cancel is sent from another thread
    }

    @Override
    public void awaitEnd(long millis) {
        Thread current = thread;
        if (current != null && current != Thread.currentThread()) {
            try {
                current.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            NodeStatements open = reading;
            if (current.isAlive() && open != null) {
                open.abandon();
            }
        }
        watcher.close(millis);
    }

    /** @return whether the lock thread is in a socket read that only a notice ends (for tests) */
    boolean inLongRead() {
        return readingSocket && SocketReads.needsNotice(readNanos);
    }

    /** @return how many connections of the DataSource this node holds now: at most 2 */
    int heldConnections() {
        return (loop.sessionOpen() ? 1 : 0) + (watcher.connected() ? 1 : 0);
    }

    private void run() {
        try {
            while (true) {
                NodeLoop.Step step = loop.step();
                if (step.done()) {
                    return;
                }
                await(step);
                if (Thread.interrupted()) {
                    loop.post(new LoopEvent.Interrupted());
                }
            }
        } finally {
            watcher.close(TimeUnit.SECONDS.toMillis(1)); // also after a pooler failed every election
        }
    }

    /** Waits until the step's due time or an event: in a socket read if the step names a session, else parked. */
    private void await(NodeLoop.Step step) {
        long left = step.until() - System.nanoTime();
        if (left <= 0 || loop.hasEvents()) {
            return;
        }
        NodeStatements session = step.readFrom();
        if (session == null) {
            LockSupport.parkNanos(this, left);
            return;
        }
        int millis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, reads.read(step.sliceNanos()))
                + 999_999));
        List<Notice.Heard> heard = List.of();
        SQLException failed = null;
        reading = session;
        readNanos = TimeUnit.MILLISECONDS.toNanos(millis); // before the flag: a waker that sees it sees this bound
        readingSocket = true;
        try {
            // an event that came between the check above and the flag saw no reader: step now instead
            if (!loop.hasEvents()) {
                heard = session.awaitNotices(millis);
            }
        } catch (SQLException e) {
            failed = e;
        } finally {
            readingSocket = false; // before posting: this thread's own posts must not send a wake notice
        }
        for (Notice.Heard notice : heard) {
            loop.post(new LoopEvent.Heard(notice));
        }
        if (failed != null) {
            loop.post(new LoopEvent.SocketFailed(failed));
        }
    }
}
