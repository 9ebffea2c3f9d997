package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.lock.LiveNode;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.OtherServerException;
import io.highlander.cdi.internal.lock.PoolerDetectedException;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The logic of a node's watcher, with no thread of its own: it keeps the node's second connection, finds the
 * next node in the ring of live node sessions (ordered by liveness key) and has its driver wait, in shared mode
 * and bounded by {@code lock_timeout} ({@code highlander.watcher.wait}), for that node's liveness lock; granted,
 * that node's session is gone, and the node loop is told ({@link LoopEvent.WatcherSawGone}) while every node hears
 * {@code gone}. It also sends the {@code wake} notice that ends its own node's socket read. It holds no lock while
 * it waits, so it can be part of no deadlock. {@link Watcher} is the production driver; see SIM-CONTRACT.md.
 *
 * <p>{@link #step()}, {@link #waitEnded} and {@link #waitFailed} are confined to the driving thread; {@link #wake},
 * {@link #retarget}, {@link #start} and {@link #close} may come from any thread, and only count or flag a request
 * that the next step takes up.
 */
public final class WatcherLoop implements NodeLoop.Watching {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final String CANCELLED = "57014";

    /** What the driver does next. */
    public sealed interface Action {
    }

    /**
     * Nothing to do before {@code until}, unless a request comes ({@link #interrupt} is then called).
     *
     * @param until the ticker's reading
     */
    public record Park(long until) implements Action {
    }

    /**
     * Wait, blocking, on {@code on} for the node's liveness lock ({@link WatcherStatements#awaitGone}); report the
     * outcome with {@link #waitEnded} or {@link #waitFailed}.
     *
     * @param on   the watcher's session
     * @param gone the node waited for, as the notice to send
     */
    public record AwaitGone(WatcherStatements on, Notice.Gone gone) implements Action {
    }

    /** Closed: the driver stops. */
    public record Done() implements Action {
    }

    private final HighlanderSettings settings;
    private final Sessions sessions;
    private final NodeLoop node;
    private final LongSupplier ticker;
    private final Backoff backoff = new Backoff(MIN_BACKOFF_NANOS, MAX_BACKOFF_NANOS);
    /** Wakes asked for, counted: a wake asked for while a notice is in flight is not lost. */
    private final AtomicLong wakesAsked = new AtomicLong();
    private final AtomicBoolean retargetAsked = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closing;
    private volatile Runnable interrupt = () -> { };
    // written by the driving thread; published for the node's status and the driver's cancels
    private volatile WatcherStatements session;
    private volatile long wakesSent;
    private volatile int watched;
    /** When to connect again after a failure, if {@link #backingOff}: every long is a reading the ticker may give. */
    private long reconnectAt;
    /** Whether a failure set {@link #reconnectAt}; before the first failure there is no deadline (FINDINGS.md 2). */
    private boolean backingOff;
    /** The last HL-0351 said, so that a split database is said once per change, not at every retry. */
    private String loggedOtherServer;

    /**
     * @param settings the node's settings
     * @param sessions where the watcher's connection comes from
     * @param node     the node loop it serves
     * @param ticker   the monotonic clock, in nanoseconds
     */
    public WatcherLoop(HighlanderSettings settings, Sessions sessions, NodeLoop node, LongSupplier ticker) {
        this.settings = settings;
        this.sessions = sessions;
        this.node = node;
        this.ticker = ticker;
    }

    /** @param interrupter how the driver's wait is ended when a request comes (unpark, cancel the statement) */
    void interruptWith(Runnable interrupter) {
        this.interrupt = interrupter;
    }

    @Override
    public void start() {
        if (started.compareAndSet(false, true)) {
            interrupt.run();
        }
    }

    /** @return whether {@link #start()} was called */
    boolean started() {
        return started.get();
    }

    @Override
    public void retarget() {
        retargetAsked.set(true);
        interrupt.run();
    }

    /** Any thread: send a {@code wake} notice to this node. */
    public void wake() {
        wakesAsked.incrementAndGet();
        interrupt.run();
    }

    /** Any thread: stop for good. */
    public void close() {
        closing = true;
        interrupt.run();
    }

    /** @return whether it is closing */
    boolean closing() {
        return closing;
    }

    @Override
    public boolean connected() {
        return session != null;
    }

    /** @return the watcher's session now, or null (for the driver's cancels) */
    WatcherStatements session() {
        return session;
    }

    /** @return whether a wake was asked and not yet sent */
    boolean wakeWanted() {
        return wakesAsked.get() != wakesSent;
    }

    /** @return whether a wake, a retarget or a close was asked and not yet taken up: the driver does not wait then */
    boolean requested() {
        return wakeWanted() || closing || retargetAsked.get();
    }

    /** @return the liveness half it watches, 0 for none */
    @Override
    public int watched() {
        return watched;
    }

    /** @return what the driver does next; sends the watcher's own short statements itself */
    public Action step() {
        long now = ticker.getAsLong();
        if (closing) {
            WatcherStatements current = session;
            session = null;
            watched = 0;
            if (current != null) {
                current.release();
            }
            return new Done();
        }
        if (!started.get()) {
            return new Park(now + settings.watcherWait().toNanos());
        }
        WatcherStatements current = session;
        try {
            if (current == null) {
                if (backingOff && now - reconnectAt < 0) {
                    return new Park(reconnectAt);
                }
                current = sessions.openWatcher(node.label());
                session = current;
                backoff.succeeded();
            }
            long asked = wakesAsked.get();
            if (asked != wakesSent) {
                current.notify(new Notice.Wake(settings.namespace(), node.liveness()));
                wakesSent = asked; // only once it went out: a cancel that hit the notice leaves it wanted
                return new Park(now);
            }
            retargetAsked.set(false);
            int target = next(current.liveNodes(settings.namespace()), node.liveness());
            watched = target;
            if (wakeWanted() || closing || retargetAsked.get()) {
                return new Park(now);
            }
            if (target == 0) {
                // until a node joins (retarget, on its 'joined' notice), or the next look; a heartbeat-only node
                // hears no notice, so it looks again at every heartbeat: else, told that the node it watched is gone
                // before that node came back, it watched nobody for a whole wait, and that node's next end went
                // unnoticed
                long wait = node.heartbeatOnly() ? settings.heartbeat().toNanos() : settings.watcherWait().toNanos();
                return new Park(now + wait);
            }
            return new AwaitGone(current, new Notice.Gone(settings.namespace(), target));
        } catch (PoolerDetectedException e) {
            LOG.log(Level.ERROR, e.getMessage());
            drop(current);
            return new Done(); // the node session sees the pooler too, and fails every election
        } catch (SQLException | RuntimeException e) {
            return failed(current, e);
        }
    }

    /**
     * The driver's wait ended without an error.
     *
     * @param wait the wait
     * @param gone whether the node's session is gone (its {@code gone} was sent)
     */
    public void waitEnded(AwaitGone wait, boolean gone) {
        if (gone) {
            node.post(new LoopEvent.WatcherSawGone(wait.gone().liveness()));
        }
    }

    /**
     * The driver's wait failed.
     *
     * @param wait    the wait
     * @param failure why: a cancel (to wake the node, to retarget, to close) leaves the session open
     * @return what the driver does next
     */
    public Action waitFailed(AwaitGone wait, SQLException failure) {
        if (CANCELLED.equals(failure.getSQLState()) && !wait.on().ended()) {
            return new Park(ticker.getAsLong()); // the next step sees what was asked
        }
        return failed(wait.on(), failure);
    }

    private Action failed(WatcherStatements current, Exception e) {
        if (e instanceof SQLException sql && CANCELLED.equals(sql.getSQLState()) && current != null
                && !current.ended()) {
            return new Park(ticker.getAsLong()); // a cancel that met a short statement
        }
        drop(current);
        if (closing) {
            return new Done();
        }
        if (e instanceof OtherServerException) {
            if (!e.getMessage().equals(loggedOtherServer)) {
                loggedOtherServer = e.getMessage();
                LOG.log(Level.WARNING, e.getMessage()); // a split database, or a failover under way: once per change
            }
        } else {
            LOG.log(Level.DEBUG, () -> "watcher of node " + settings.nodeId() + ": " + Election.describe(e));
        }
        backingOff = true;
        reconnectAt = ticker.getAsLong() + backoff.failed();
        return new Park(reconnectAt);
    }

    private void drop(WatcherStatements current) {
        session = null;
        watched = 0;
        if (current != null) {
            current.abandon();
        }
    }

    /**
     * Rule W5 (docs/design/election.md): a change of the ring retargets a watcher only if its own next node moved. A
     * retarget cancels the wait (a forked backend, an ERROR line in the server's log), and a node joining or leaving
     * moves the target of one node only, its predecessor's: before, every ring change cancelled every node's wait
     * (100 cancels per join at 100 nodes).
     *
     * @param live     every live node session, as the node loop's scan found them
     * @param self     this node's liveness half, 0 if none now
     * @param watching the liveness half the watcher waits on, 0 for none
     * @return whether the watcher must look for its target again
     */
    static boolean targetMoved(List<LiveNode> live, int self, int watching) {
        return next(live, self) != watching;
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
        for (LiveNode other : live) {
            long key = other.unsigned();
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
}
