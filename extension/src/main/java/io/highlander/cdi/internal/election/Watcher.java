package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The production driver of a node's {@link WatcherLoop}: the thread {@code highlander-node-watcher}, which does the
 * loop's one blocking wait ({@link WatcherStatements#awaitGone}) and parks between steps. A request from another
 * thread (a wake, a retarget, a close) ends the wait: an unpark, and a cancel of the statement in flight, sent again
 * every 20 ms while a wake is still wanted (a cancel that reaches the server before the wait does is lost).
 *
 * <p>Rule W6 (docs/design/election.md): requests are coalesced. A wait is cancelled once, however many requests come
 * during it (each further cancel forked a backend and, landing after the wait ended, failed the watcher's next
 * statement: another ERROR line and another round); one chain of re-sends runs at a time; and a {@code gone} that the
 * watcher reports asks no wake of its own, since the {@code gone} notice it sent on its connection ends its node's
 * socket read as a {@code wake} would (and reached every other node too).
 */
final class Watcher implements NodeLoop.Watching {

    static final String THREAD_NAME = "highlander-node-watcher";
    /** How often a wake that is still pending is sent again (the cancel may reach the server before the wait). */
    private static final long WAKE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final WatcherLoop loop;
    private final LifecycleThreads threads;
    private final Scheduler scheduler;
    private volatile Thread thread;
    /**
     * Whether the driver is inside its wait ({@link WatcherStatements#awaitGone}): only a wait needs a cancel to end.
     * A cancel costs a connection to the server and a forked backend there, and it ends whatever statement runs when
     * it lands; outside the wait a request is seen by the next step anyway.
     */
    private volatile boolean waiting;
    /** How many waits the driver began; {@link #cancelled} names the last one a cancel was sent to. */
    private volatile long waits;
    private final AtomicLong cancelled = new AtomicLong(-1);
    /** Whether a chain of wake re-sends runs ({@link #retryWake}): one at a time. */
    private final AtomicBoolean retrying = new AtomicBoolean();
    /** The driver reports a gone it sent itself: its node hears that notice (confined to the driver's thread). */
    private boolean reportingGone;

    Watcher(NodeLoop node, HighlanderSettings settings, Sessions sessions, LifecycleThreads threads,
            Scheduler scheduler) {
        this.loop = new WatcherLoop(settings, sessions, node, System::nanoTime);
        this.threads = threads;
        this.scheduler = scheduler;
        loop.interruptWith(() -> interruptWait(false));
    }

    /** Starts the thread, once; later calls do nothing. */
    @Override
    public synchronized void start() {
        if (thread == null && !loop.closing()) {
            thread = threads.newThread(THREAD_NAME, this::run);
            thread.start();
        }
        loop.start();
    }

    /** Any thread: have the node's lock thread woken out of its socket read by a {@code wake} notice. */
    void wake() {
        if (reportingGone && Thread.currentThread() == thread) {
            return; // the gone notice this thread just sent ends its node's read (rule W6)
        }
        loop.wake();
        if (retrying.compareAndSet(false, true)) {
            retryWake(0);
        }
    }

    @Override
    public void retarget() {
        loop.retarget();
    }

    @Override
    public boolean connected() {
        return loop.connected();
    }

    /** @return the random half of the liveness key it waits on, 0 for none */
    @Override
    public int watched() {
        return loop.watched();
    }

    /** Stops, waiting at most {@code millis}; aborts the connection if the thread does not end. */
    void close(long millis) {
        loop.close();
        Thread current;
        synchronized (this) {
            current = thread;
        }
        if (current != null && current != Thread.currentThread()) {
            try {
                current.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        WatcherStatements open = loop.session();
        if (open != null && current != null && current.isAlive()) {
            open.abandon();
        }
    }

    /**
     * @param again whether to cancel a wait that was cancelled already (a re-send: the first cancel may have reached
     *              the server before the wait did)
     */
    private void interruptWait(boolean again) {
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
        WatcherStatements open = loop.session();
        // not from the watcher's own thread: the gone it reports wakes its node through here, right after its wait
        if (open != null && waiting && current != Thread.currentThread()) {
            long wait = waits;
            long last = cancelled.get();
            if (again || last != wait && cancelled.compareAndSet(last, wait)) {
                open.cancel(); // ends a wait on a liveness lock; the next step sees what was asked
            }
        }
    }

    /** A cancel sent before the wait reached the server is lost: send it again until the wake went out. */
    private void retryWake(int attempt) {
        boolean scheduled = false;
        if (attempt < 50) { // after that the lock thread's own bound on a socket read takes over
            try {
                scheduler.schedule(() -> {
                    if (loop.wakeWanted() && !loop.closing()) {
                        interruptWait(true);
                        retryWake(attempt + 1);
                    } else {
                        chainEnded();
                    }
                }, WAKE_RETRY_NANOS);
                scheduled = true;
            } catch (RuntimeException e) { // the node is closing: its watchdog takes no more tasks
                scheduled = false;
            }
        }
        if (!scheduled) {
            chainEnded();
        }
    }

    /** The chain of re-sends ends; a wake asked meanwhile, which saw it running, starts the next one. */
    private void chainEnded() {
        retrying.set(false);
        if (loop.wakeWanted() && !loop.closing() && retrying.compareAndSet(false, true)) {
            retryWake(0);
        }
    }

    private void run() {
        WatcherLoop.Action action = loop.step();
        while (!(action instanceof WatcherLoop.Done)) {
            if (action instanceof WatcherLoop.AwaitGone wait) {
                waits++; // only this thread writes it
                waiting = true;
                try {
                    // a request that came after the step looked, and before the flag was up, found nothing to cancel:
                    // the next step takes it up instead of this wait (the flag and the requests are both volatile)
                    if (!loop.requested()) {
                        boolean gone = wait.on().awaitGone(wait.gone());
                        waiting = false; // before reporting: a cancel now would hit the next statement
                        reportingGone = true;
                        try {
                            loop.waitEnded(wait, gone);
                        } finally {
                            reportingGone = false;
                        }
                    }
                } catch (SQLException e) {
                    waiting = false;
                    action = loop.waitFailed(wait, e);
                    if (action instanceof WatcherLoop.Done) {
                        break;
                    }
                    park(action);
                } finally {
                    waiting = false;
                }
            } else {
                park(action);
            }
            action = loop.step();
        }
    }

    private void park(WatcherLoop.Action action) {
        if (action instanceof WatcherLoop.Park park) {
            long left = park.until() - System.nanoTime();
            if (left > 0 && !loop.wakeWanted() && !loop.closing()) {
                LockSupport.parkNanos(this, left);
            }
            Thread.interrupted(); // the container stopping threads: the node's lock thread closes the elections
        }
    }
}
