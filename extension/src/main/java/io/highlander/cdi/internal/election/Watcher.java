package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.lock.LiveNode;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.internal.lock.PoolerDetectedException;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The node's second and last connection, on its own thread ({@code highlander-node-watcher}): it waits, in shared
 * mode and bounded by {@code lock_timeout} ({@code highlander.watcher.wait}), for the liveness lock of the next
 * node in the ring of live node sessions (ordered by liveness key), and when that is granted, which means that
 * node's session is gone, it tells every node ({@code gone}), so that the singletons it led are tried at once.
 * It also {@linkplain #wake() wakes} its own node's lock thread out of a socket read, with a {@code wake} notice.
 * It holds no lock while it waits, so it can be part of no deadlock; see {@code package-info}.
 */
final class Watcher {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());
    static final String THREAD_NAME = "highlander-node-watcher";
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often a wake that is still pending is sent again (the cancel may reach the server before the wait). */
    private static final long WAKE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final String CANCELLED = "57014";

    private final NodeSession node;
    private final HighlanderSettings settings;
    private final Sessions sessions;
    private final LifecycleThreads threads;
    private final ScheduledExecutorService scheduler;
    private volatile WatcherStatements session;
    private volatile Thread thread;
    /** Wakes asked for and sent, counted: a wake asked for while a notice is in flight is not lost. */
    private final java.util.concurrent.atomic.AtomicLong wakesAsked = new java.util.concurrent.atomic.AtomicLong();
    private volatile long wakesSent;
    private volatile boolean retarget;
    private volatile boolean closing;
    private volatile int watched;
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();

    Watcher(NodeSession node, HighlanderSettings settings, Sessions sessions, LifecycleThreads threads,
            ScheduledExecutorService scheduler) {
        this.node = node;
        this.settings = settings;
        this.sessions = sessions;
        this.threads = threads;
        this.scheduler = scheduler;
    }

    /** Starts the thread, once; later calls do nothing. */
    void start() {
        if (started.compareAndSet(false, true) && !closing) {
            thread = threads.newThread(THREAD_NAME, this::run);
            thread.start();
        }
    }

    /** Any thread: have the node's lock thread woken out of its socket read by a {@code wake} notice. */
    void wake() {
        wakesAsked.incrementAndGet();
        interruptWait();
        retryWake(0);
    }

    /** Any thread: a node joined; look for the next node in the ring again. */
    void retarget() {
        retarget = true;
        interruptWait();
    }

    /** @return whether it holds its connection now */
    boolean connected() {
        return session != null;
    }

    /** @return the random half of the liveness key it waits on, 0 for none (for tests) */
    int watched() {
        return watched;
    }

    /** Stops, waiting at most {@code millis}; aborts the connection if the thread does not end. */
    void close(long millis) {
        closing = true;
        interruptWait();
        Thread current = thread;
        if (current != null && current != Thread.currentThread()) {
            try {
                current.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        WatcherStatements open = session;
        if (open != null && current != null && current.isAlive()) {
            open.abandon();
        }
    }

    private void interruptWait() {
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
        WatcherStatements open = session;
        if (open != null) {
            open.cancel(); // ends a wait on a liveness lock; the thread then sees what it is asked
        }
    }

    /** A cancel sent before the wait reached the server is lost: send it again until the wake went out. */
    private void retryWake(int attempt) {
        if (attempt >= 50) {
            return; // the lock thread's own bound on a socket read takes over
        }
        try {
            scheduler.schedule(() -> {
                if (wakeWanted() && !closing) {
                    interruptWait();
                    retryWake(attempt + 1);
                }
            }, WAKE_RETRY_NANOS, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the node is closing
        }
    }

    private void run() {
        long backoff = MIN_BACKOFF_NANOS;
        while (!closing) {
            WatcherStatements current = null;
            try {
                current = sessions.openWatcher(node.label());
                session = current;
                backoff = MIN_BACKOFF_NANOS;
                watch(current);
                current.release();
            } catch (PoolerDetectedException e) {
                LOG.log(Level.ERROR, e.getMessage());
                abandon(current);
                return; // the node session sees the pooler too, and fails every election
            } catch (SQLException | RuntimeException e) {
                abandon(current);
                if (!closing) {
                    LOG.log(Level.DEBUG, () -> "watcher of node " + settings.nodeId() + ": " + Election.describe(e));
                    park(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                }
            } finally {
                session = null;
                watched = 0;
            }
        }
    }

    private boolean wakeWanted() {
        return wakesAsked.get() != wakesSent;
    }

    /**
     * Keeps watching until closing; with nobody to watch it looks again every wait (every heartbeat if its node
     * hears no notices), or when a node joins.
     */
    private void watch(WatcherStatements current) throws SQLException {
        while (!closing) {
            try {
                watchOnce(current);
            } catch (SQLException e) {
                if (!CANCELLED.equals(e.getSQLState()) || current.ended()) {
                    throw e;
                }
                // a cancel (to wake the node, to retarget, to close) that met this or another statement: the loop
                // sees what was asked; a wake not yet sent is still wanted
            }
        }
    }

    /** One step: send a wanted wake, or find the target and wait on it once. */
    private void watchOnce(WatcherStatements current) throws SQLException {
        long asked = wakesAsked.get();
        if (asked != wakesSent) {
            current.notify(new Notice.Wake(settings.namespace(), node.liveness()));
            wakesSent = asked; // only once it went out: a cancel that hit the notice leaves it wanted
            return;
        }
        retarget = false;
        int target = next(current.liveNodes(settings.namespace()), node.liveness());
        watched = target;
        if (wakeWanted() || closing) {
            return;
        }
        if (target == 0) {
            // until a node joins (retarget, on its 'joined' notice), or the next look; a heartbeat-only node hears
            // no notice, so it looks again at every heartbeat: else, told that the node it watched is gone before
            // that node came back, it watched nobody for a whole wait, and that node's next end went unnoticed
            park(node.heartbeatOnly() ? settings.heartbeat().toNanos() : settings.watcherWait().toNanos());
            return;
        }
        if (retarget) {
            return;
        }
        if (current.awaitGone(new Notice.Gone(settings.namespace(), target))) {
            node.someoneGone();
        }
    }

    /**
     * @param live every live node session
     * @param self this node's liveness half, 0 if none now
     * @return the one after {@code self} in ascending unsigned order, wrapping around; 0 if there is no other node
     */
    static int next(List<LiveNode> live, int self) {
        long mine = Integer.toUnsignedLong(self);
        long first = -1;
        long after = -1;
        for (LiveNode node : live) {
            long key = node.unsigned();
            if (key == mine) {
                continue;
            }
            if (first < 0 || key < first) {
                first = key;
            }
            if (key > mine && (after < 0 || key < after)) {
                after = key;
            }
        }
        return (int) (after >= 0 ? after : Math.max(first, 0));
    }

    private void park(long nanos) {
        LockSupport.parkNanos(this, nanos);
        Thread.interrupted(); // the container stopping threads: the node's lock thread closes the elections
    }

    private static void abandon(WatcherStatements session) {
        if (session != null) {
            session.abandon();
        }
    }
}
