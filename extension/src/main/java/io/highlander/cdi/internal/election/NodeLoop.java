package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.election.ElectionState.Ending;
import io.highlander.cdi.internal.election.ElectionState.Phase;
import io.highlander.cdi.internal.fence.FenceKey;
import io.highlander.cdi.internal.lock.ClusterIdentity;
import io.highlander.cdi.internal.lock.Lease;
import io.highlander.cdi.internal.lock.LiveNode;
import io.highlander.cdi.internal.lock.LockHolder;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockTableFullException;
import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.PoolerDetectedException;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.metrics.ElectionProbe;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The node loop: the logic of the node session, with no thread of its own and no blocking of its own (see
 * docs/design/election.md). Whoever drives it calls {@link #step()} again and again: each step takes the events
 * posted since ({@link #post}), moves every {@link Election} on as far as it goes, sends at most one statement
 * through {@link NodeStatements}, and says until when nothing is due ({@link Step}). The driver then waits: in a
 * socket read of the node session if the step says so (its notices come back as {@link LoopEvent.Heard}), or on
 * the queue. {@link NodeSession} is the production driver, on the thread {@code highlander-node-lock}; a
 * simulation is another (SIM-CONTRACT.md).
 *
 * <p>All state below is confined to the thread inside {@link #step()}; other threads only {@link #post} events
 * and read the values published for {@code status()}. Time is the injected ticker's.
 */
public final class NodeLoop {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());
    /**
     * After a node session is gone, how long and how often the locks it held are tried again: its backend lets its
     * locks go one after the other as it exits (PG-SEMANTICS), so the watcher can be granted the liveness lock while
     * a singleton's lock is still held for a moment, and a node that hears no notices would then wait for the safety
     * net (rule W3).
     */
    static final long AFTER_GONE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long AFTER_GONE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** While there is no session: how often the elections are driven (a close, a finished stop). */
    private static final long PAUSE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * What the driver does until the next step.
     *
     * @param until      the ticker's reading at which the next step is due anyway
     * @param readFrom   the session whose socket to read meanwhile ({@link NodeStatements#awaitNotices}), or null:
     *                   then wait on the queue
     * @param sliceNanos the longest single socket read
     * @param done       whether the loop is over (every election closed or failed)
     */
    public record Step(long until, NodeStatements readFrom, long sliceNanos, boolean done) {
    }

    /** The thread-side of a driver: how an event posted from another thread reaches a waiting driver. */
    public interface Driver {

        /** Any thread: an event was posted; end the driver's wait (a socket read needs a notice to end). */
        void wake();

        /**
         * Any thread: as {@link #wake()}, for a graceful stop that is about to begin (rule L6): the caller goes on
         * with the stop at once, and a notice the wake needs is sent from another thread.
         */
        default void wakeAhead() {
            wake();
        }

        /**
         * Waits for the loop to be over, at most {@code millis}; aborts the session if it is not.
         *
         * @param millis the bound
         */
        void awaitEnd(long millis);
    }

    /** What the loop asks of the node's watcher. */
    public interface Watching {

        /** The node session is open (its liveness lock is held): start watching, once. */
        void start();

        /** This node's next node in the ring changed: look for it again. */
        void retarget();

        /** @return the liveness half the watcher waits on (or last looked for), 0 for none: rule W5 compares it */
        int watched();

        /** @return whether the watcher holds its connection now */
        boolean connected();
    }

    private final HighlanderSettings settings;
    /** The companion locks' namespace (the fence's barrier, tried by the takeover statement): hashed once here. */
    private final int companions;
    private final Sessions sessions;
    private final LongSupplier ticker;
    private final IntSupplier draw;
    private final List<Election> elections = new ArrayList<>();
    private final ConcurrentLinkedQueue<LoopEvent> events = new ConcurrentLinkedQueue<>();
    private final Courtesy courtesy;
    private final StrictTakeover strict;
    private final Placement placement;
    /** The token guard, or null where a simulation switched it off. */
    private final TokenGuard tokens;
    private final Backoff backoff = new Backoff(MIN_BACKOFF_NANOS, MAX_BACKOFF_NANOS);
    private volatile Driver driver = new Driver() {
        @Override
        public void wake() {
        }

        @Override
        public void awaitEnd(long millis) {
        }
    };
    private ElectionProbe probe = ElectionProbe.NONE;
    private Watching watching = new Watching() {
        @Override
        public void start() {
        }

        @Override
        public void retarget() {
        }

        @Override
        public int watched() {
            return 0;
        }

        @Override
        public boolean connected() {
            return false;
        }
    };

    // ---- confined to the stepping thread ----
    private NodeStatements session;
    private Schedule schedule;
    private boolean retryAll = true;
    private boolean eventfulTry = true;
    private boolean recountDue = true;
    /** Another node began a term on a lock this node wants: look who holds it, for status() and refusals. */
    private boolean lookDue;
    /** Until when a node session that went away may still be letting its locks go (rule W3). */
    private long afterGoneUntil;
    private boolean afterGone;
    /** A notice came from a PID not among the live nodes' as last scanned: scan again before judging by it. */
    private boolean scanDue;
    private final List<Notice.Heard> unattributed = new ArrayList<>();
    private Map<Integer, Integer> livePids = Map.of();
    private Set<Integer> liveKeys = Set.of();
    /** A failure of a statement sent from inside a transition, or of the socket read; rethrown by the step. */
    private SQLException failure;
    /** HL-0360 as last logged: said once until a try gets through again, not at every reconnect. */
    private String loggedLockTable;
    /** When to connect again after a failure, if {@link #backingOff}: every long is a reading the ticker may give. */
    private long reconnectAt;
    /** Whether a failure set {@link #reconnectAt}; before the first failure there is no deadline (FINDINGS.md 2). */
    private boolean backingOff;
    private String loggedProblem;
    private boolean fallbackLogged;
    private boolean over;
    /** Where the last node session was: a new one elsewhere (a failover's timeline, another cluster) is logged. */
    private ClusterIdentity lastCluster;

    // ---- written by the stepping thread, published for status() ----
    private volatile int liveness;
    private volatile boolean heartbeatOnly;
    private volatile boolean sessionOpen;
    private volatile int liveNodes;
    private volatile int share;

    /**
     * @param settings the node's settings
     * @param sessions where the node session comes from
     * @param ticker   the monotonic clock, in nanoseconds
     * @param draw     draws a node session's liveness half (random in production; 0 is redrawn)
     */
    public NodeLoop(HighlanderSettings settings, Sessions sessions, LongSupplier ticker, IntSupplier draw) {
        this(settings, sessions, ticker, draw, Policies.of(settings));
    }

    /**
     * @param settings the node's settings
     * @param sessions where the node session comes from
     * @param ticker   the monotonic clock, in nanoseconds
     * @param draw     draws a node session's liveness half
     * @param policies the rules it follows (a simulation may pass one with a rule switched off)
     */
    public NodeLoop(HighlanderSettings settings, Sessions sessions, LongSupplier ticker, IntSupplier draw,
                    Policies policies) {
        this.settings = settings;
        this.companions = FenceKey.namespaceOf(settings.namespace());
        this.sessions = sessions;
        this.ticker = ticker;
        this.draw = draw;
        this.courtesy = new Courtesy(policies.courtesyNanos());
        this.strict = new StrictTakeover(policies.strictHoldNanos());
        this.placement = new Placement(settings.placement() == HighlanderSettings.Placement.BALANCED,
                settings.standbyInterval().toNanos());
        this.tokens = policies.tokenGuard() ? new TokenGuard(settings.nodeId()) : null;
    }

    /**
     * The rules the loop follows, each a value a simulation may change to switch a rule off.
     *
     * @param courtesyNanos   how long a lock lost with the session is left to the others (0: no courtesy)
     * @param strictHoldNanos how long a strict term waits after an end it did not see to be clean (0: strict
     *                        takeover's wait off); ignored in fast mode
     * @param tokenGuard      whether a grab whose fencing token may not be above earlier ones begins no term
     *                        ({@link TokenGuard})
     */
    public record Policies(long courtesyNanos, long strictHoldNanos, boolean tokenGuard) {

        /**
         * @param courtesyNanos   see above
         * @param strictHoldNanos see above
         */
        public Policies(long courtesyNanos, long strictHoldNanos) {
            this(courtesyNanos, strictHoldNanos, true);
        }

        /**
         * @param settings the node's settings
         * @return the production rules
         */
        public static Policies of(HighlanderSettings settings) {
            return new Policies(Election.courtesyNanos(settings),
                    settings.lease().plus(settings.stopMargin()).toNanos());
        }

        /** @return these rules without the courtesy after a lost session */
        public Policies withoutCourtesy() {
            return new Policies(0, strictHoldNanos, tokenGuard);
        }

        /** @return these rules without strict takeover's wait */
        public Policies withoutStrictWait() {
            return new Policies(courtesyNanos, 0, tokenGuard);
        }

        /** @return these rules without the token guard: every grab begins its terms, whatever its token */
        public Policies withoutTokenGuard() {
            return new Policies(courtesyNanos, strictHoldNanos, false);
        }
    }

    /** Before the first step: an election this loop serves. */
    void serve(Election election) {
        elections.add(election);
    }

    /** @return the elections this loop serves */
    List<Election> elections() {
        return List.copyOf(elections);
    }

    /** @param driving the driver that waits for this loop's events; before the first step */
    public void drive(Driver driving) {
        this.driver = driving;
    }

    /** @param watcher the node's watcher; before the first step */
    public void watchWith(Watching watcher) {
        this.watching = watcher;
    }

    /** @param told what the node session sees, for the meters; before the first step */
    public void probeWith(ElectionProbe told) {
        this.probe = told;
    }

    /**
     * Any thread: an input for the loop; the driver is woken.
     *
     * @param event the event
     */
    public void post(LoopEvent event) {
        events.add(event);
        driver.wake();
    }

    /** @return whether an event waits on the queue (the driver does not wait then) */
    public boolean hasEvents() {
        return !events.isEmpty();
    }

    /** Any thread: an election's state changed; drive them. */
    void wake() {
        post(new LoopEvent.Look());
    }

    /** Any thread: a graceful stop is about to begin; drive the elections, without waiting for the wake (rule L6). */
    void wakeAhead() {
        events.add(new LoopEvent.Look());
        driver.wakeAhead();
    }

    /** @param millis how long to wait for the loop's end (the driver's thread) */
    void awaitEnd(long millis) {
        driver.awaitEnd(millis);
    }

    // ---- published values ----

    /** @return the random half of the current node session's liveness key, 0 while none */
    public int liveness() {
        return liveness;
    }

    /** @return whether the node session cannot wait in a socket read (heartbeats and timed tries only) */
    public boolean heartbeatOnly() {
        return heartbeatOnly;
    }

    /** @return whether the node session is open now */
    public boolean sessionOpen() {
        return sessionOpen;
    }

    /** @return whether the node session and the watcher both hold a connection now */
    boolean connected() {
        return sessionOpen && watching.connected();
    }

    /** @return N as last counted under balanced placement; 0 under first come */
    int liveNodes() {
        return liveNodes;
    }

    /** @return how many of its elections this node may lead now */
    int share() {
        return placement.balanced() ? share : elections.size();
    }

    /** @return how many of its elections this node leads now */
    int ledHere() {
        int led = 0;
        for (Election election : elections) {
            if (election.state().runningTerm() != null) {
                led++;
            }
        }
        return led;
    }

    /** @return whose connections these are, for messages: the singleton's name, or the node for several */
    public String label() {
        return elections.size() == 1 ? elections.get(0).name() : "node " + settings.nodeId();
    }

    /** @return the node's settings */
    HighlanderSettings settings() {
        return settings;
    }

    // ---- the step ----

    /**
     * One step: never waits, sends at most one statement (besides what a session's open or end needs).
     *
     * @return until when nothing is due, and where to wait
     */
    public Step step() {
        if (over) {
            return new Step(ticker.getAsLong(), null, 0, true);
        }
        try {
            drainEvents();
            if (session == null) {
                driveAll(null);
                if (allOver()) {
                    return finish();
                }
                long now = ticker.getAsLong();
                if (backingOff && now - reconnectAt < 0) {
                    return new Step(earliest(reconnectAt, now + PAUSE_SLICE_NANOS), null, 0, false);
                }
                open();
                return again();
            }
            return serve(session);
        } catch (PoolerDetectedException e) {
            LOG.log(Level.ERROR, e.getMessage());
            lost(e);
            elections.forEach(Election::fail);
            return finish();
        } catch (SQLException e) {
            lost(e);
            if (!allOver()) {
                problem(e);
                backingOff = true;
                reconnectAt = ticker.getAsLong() + backoff.failed();
                if (e instanceof LockTableFullException) { // no room now is no room 50 ms later: retry at the
                    // safety net's pace, not with a joined notice to every node twenty times a second
                    reconnectAt = ticker.getAsLong() + settings.standbyInterval().toNanos();
                }
            }
            return again();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, Messages.unexpected("node " + settings.nodeId()), e);
            lost(e);
            backingOff = true;
            reconnectAt = ticker.getAsLong() + MAX_BACKOFF_NANOS;
            return again();
        } catch (Error e) {
            LOG.log(Level.ERROR, Messages.unexpected("node " + settings.nodeId()), e);
            elections.forEach(Election::fail);
            finish();
            throw e;
        }
    }

    private Step again() {
        return new Step(ticker.getAsLong(), null, 0, false);
    }

    private Step finish() {
        over = true;
        elections.forEach(Election::closed);
        return new Step(ticker.getAsLong(), null, 0, true);
    }

    private void drainEvents() throws SQLException {
        LoopEvent event;
        while ((event = events.poll()) != null) {
            apply(event);
        }
    }

    private void apply(LoopEvent event) throws SQLException {
        if (event instanceof LoopEvent.Heard heard) {
            heard(heard.heard());
        } else if (event instanceof LoopEvent.WatcherSawGone gone) {
            someoneGone(gone.liveness());
        } else if (event instanceof LoopEvent.SocketFailed failed) {
            if (session != null && failure == null) {
                failure = failed.failure();
            }
        } else if (event instanceof LoopEvent.Unlock unlock) {
            unlock.lock().unlock(unlock.clean());
        } else if (event instanceof LoopEvent.WhoHolds asked) {
            answer(asked);
        } else if (event instanceof LoopEvent.Interrupted) {
            elections.forEach(Election::interrupted);
        } // Look: the elections are driven at every step
    }

    private void answer(LoopEvent.WhoHolds asked) throws SQLException {
        NodeStatements current = session;
        if (current == null) {
            asked.answer().completeExceptionally(new SQLException("no node session now", "08003"));
            return;
        }
        long sentAt = ticker.getAsLong();
        try {
            Map<Integer, LockHolder> holders = current.holdersOf(asked.key().namespace(), List.of(asked.key().key()));
            acknowledged(sentAt);
            asked.answer().complete(Optional.ofNullable(holders.get(asked.key().key())));
        } catch (SQLException e) {
            asked.answer().completeExceptionally(e);
            throw e;
        }
    }

    /** Opens the node session: settings, liveness lock, LISTEN (or the fallback), a {@code joined} notice. */
    private void open() throws SQLException {
        NodeStatements opened = sessions.openNode(label());
        try {
            int drawn;
            do {
                drawn = draw.getAsInt();
            } while (drawn == 0 || !opened.takeLiveness(settings.namespace(), drawn)); // 0 means none
            boolean listening = opened.listen();
            heartbeatOnly = !listening;
            if (!listening && !fallbackLogged) {
                fallbackLogged = true;
                LOG.log(Level.WARNING, Messages.noSocketWait(settings.nodeId(), sessions.description(),
                        settings.heartbeat(), settings.standbyInterval()));
            }
            long now = ticker.getAsLong();
            schedule = new Schedule(settings.heartbeat().toNanos(), settings.lease().toNanos() / 2,
                    settings.standbyInterval().toNanos(), now);
            strict.reset(); // what was heard on an earlier session says nothing: notices may have been missed
            placement.reset();
            unattributed.clear();
            liveNodes = 0;
            share = 0;
            session = opened;
            liveness = drawn;
            sessionOpen = true;
            loggedProblem = null;
            backoff.succeeded();
            // the live nodes' PIDs, before any notice is judged by them; under balanced placement also the first
            // count, after the liveness lock is ours, so that this node counts itself
            scan(opened);
            opened.notify(new Notice.Joined(settings.namespace(), drawn)); // a hint: best-effort
            retryAll = true;
            eventfulTry = true;
            // only now: the node session's own detectors have run, so a transaction pooler is told by them
            // before a waiting watcher could hold up the pooler's server connections
            watching.start();
            watching.retarget();
            ClusterIdentity cluster = opened.cluster();
            for (Election election : elections) {
                election.sightings().connected(cluster.toString()); // which server, cluster and timeline
            }
            if (!cluster.equals(lastCluster)) {
                // an operator sees every node follow a failover (a new timeline) or land on another cluster
                LOG.log(Level.INFO, Messages.sessionOn(settings.nodeId(), cluster, lastCluster));
                lastCluster = cluster;
            }
            if (tokens != null) {
                tokens.connected(cluster);
            }
            probe.sessionOpened();
        } catch (SQLException | RuntimeException e) {
            opened.abandon();
            throw e;
        }
    }

    /** One turn on an open session: at most one statement of its own accord. */
    private Step serve(NodeStatements current) throws SQLException {
        driveAll(current);
        drainEvents(); // the unlocks the transitions just asked for
        driveAll(current);
        rethrowFailure(current);
        if (allOver()) {
            liveness = 0;
            sessionOpen = false;
            session = null;
            current.release(); // every lock left, the liveness lock, LISTEN, settings
            return finish();
        }
        long now = ticker.getAsLong();
        if (courtesy.expire(now)) {
            retryAll = true; // a lock this node left to the others: its turn now, if nobody took it
            eventfulTry = true;
        }
        if (scanDue) {
            scan(current);
            return again();
        }
        if (placement.balanced() && (recountDue || schedule.countDue(now))) {
            recount(current);
            return again(); // shed what is over the share before trying anything
        }
        boolean wanting = !wanting().isEmpty();
        if (lookDue) {
            look(current);
            return again();
        }
        boolean settling = afterGone && now - afterGoneUntil < 0;
        afterGone = settling;
        if (wanting && (retryAll || schedule.tryDue(now)
                || settling && schedule.triedBefore(now, AFTER_GONE_RETRY_NANOS))) {
            grab(current);
            return again(); // look at the new terms before waiting
        }
        if (schedule.heartbeatDue(now, holdsATerm())) {
            heartbeat(current);
            return again();
        }
        long slice = SocketReads.slice(stopping(), watching.connected()); // never deaf to the session (rule L3)
        return new Step(nextDue(wanting), current.canAwaitNotices() ? current : null, slice, false);
    }

    /** Moves every election on as far as it goes without waiting. */
    private void driveAll(NodeStatements current) {
        for (Election election : elections) {
            drive(election, current);
        }
    }

    private void drive(Election election, NodeStatements current) {
        ElectionState s = election.state();
        long now = ticker.getAsLong();
        switch (s.phase()) {
            case STARTING, DISABLED, STANDBY -> {
                if (s.closing()) {
                    election.closed();
                } else if (current != null && s.phase() == Phase.DISABLED && now - s.holdOffUntil() >= 0) {
                    election.standby();
                    retryAll = true;
                }
            }
            case ACQUIRED, LEADING -> {
                if (s.closing() || s.stepDown() != null) {
                    election.endTerm(s.term(), s.closing() ? LossReason.SHUTDOWN : s.stepDown().reason(), null);
                    drive(election, current);
                }
            }
            case ENDING -> {
                Ending how = s.ending();
                if (how.stopped().isDone() || now - how.letGoBy() >= 0 || s.term().lock().isLetGo()) {
                    election.letGo(s.term(), false);
                    drive(election, current);
                }
            }
            case STOPPING -> {
                if (s.term().lock().isLetGo() && (s.ending().stopped().isDone() || s.closing())) {
                    election.finish(s.term());
                    retryAll = true;
                    drive(election, current);
                }
            }
            default -> {
                // FAILED, CLOSED: nothing to do
            }
        }
    }

    /**
     * Tries every lock a standby election of this node wants, in one statement, as {@link Placement} allows; a
     * node without room only looks who holds them, and tries those nobody held at every look for a standby interval.
     */
    private void grab(NodeStatements current) throws SQLException {
        Map<Integer, Election> wanted = new LinkedHashMap<>();
        for (Election election : wanting()) {
            if (!courtesy.leftToOthers(election.key().key())) {
                wanted.putIfAbsent(election.key().key(), election);
            }
        }
        long now = ticker.getAsLong();
        if (wanted.isEmpty()) {
            retryAll = false;
            schedule.tried(now);
            return; // only keys this node leaves to the others for now: nextDue() wakes it when that ends
        }
        boolean eventful = eventfulTry;
        retryAll = false;
        eventfulTry = false;
        Collection<Integer> toTry = wanted.keySet();
        int room = placement.room(keeping().size());
        boolean looked = false;
        if (room <= 0) {
            long askedAt = ticker.getAsLong();
            Map<Integer, LockHolder> holders = current.holdersOf(settings.namespace(), wanted.keySet());
            acknowledged(askedAt);
            schedule.tried(askedAt);
            for (Map.Entry<Integer, Election> entry : wanted.entrySet()) {
                entry.getValue().sightings().saw(Optional.ofNullable(holders.get(entry.getKey())));
            }
            looked = true;
            toTry = placement.looked(wanted.keySet(), holders.keySet(), askedAt);
            room = Integer.MAX_VALUE; // what nobody took for so long is kept: liveness comes before balance
        }
        NodeStatements.Grab grab = new NodeStatements.Grab(Set.of(), -1);
        long sentAt = ticker.getAsLong();
        if (!toTry.isEmpty()) {
            grab = current.tryAcquireAll(settings.namespace(), companions, toTry, roundTrip());
            loggedLockTable = null;
            acknowledged(sentAt);
            schedule.tried(sentAt);
            placement.tried(toTry);
        }
        if (tokens != null && !grab.keys().isEmpty() && refused(current, wanted, grab)) {
            return;
        }
        boolean strictMode = settings.takeover() == HighlanderSettings.Takeover.STRICT;
        if (strictMode && !grab.keys().isEmpty()) {
            if (current.canAwaitNotices()) {
                // every notice committed before the grab reached the driver's queue before the grab's answer did:
                // read them before judging whether the last term ended cleanly
                for (Notice.Heard notice : current.awaitNotices(1)) {
                    heard(notice);
                }
            }
            if (scanDue) {
                scan(current); // a notice from an unknown sender: judge it by the live nodes as they are now
            }
        }
        List<Integer> missed = new ArrayList<>();
        int kept = 0;
        for (Map.Entry<Integer, Election> entry : wanted.entrySet()) {
            Election election = entry.getValue();
            LockKey key = election.key();
            if (grab.keys().contains(entry.getKey()) && kept >= room) {
                // more came free than this node's share has room for: let the rest go before anything started,
                // with a release notice, so that another node under its share takes them; with the hold a term of
                // it would have had, so that the notice vouches for nothing this node did not wait out (rule S6)
                long hold = strictMode ? strict.holdBeforeStart(entry.getKey()) : 0;
                new Held(current, key, grab.token(), hold).unlock(true);
            } else if (grab.keys().contains(entry.getKey())) {
                kept++;
                if (looked) {
                    LOG.log(Level.INFO, Messages.takenBeyondShare(election.name(), settings.nodeId(),
                            settings.standbyInterval()));
                }
                Lease lease = new Lease(settings.lease(), settings.stopMargin(), ticker);
                lease.begin(sentAt); // the grant lies inside the statement, after its send: see the design notes
                long hold = strictMode ? strict.holdBeforeStart(entry.getKey()) : 0;
                Held held = new Held(current, key, grab.token(), hold); // first: its hold counts from the grant
                held.fenceClear = !grab.busy().contains(entry.getKey()); // fencing.md F6: tried by the grab
                Term won = new Term(grab.token(), lease, held, Instant.now());
                election.standby(); // from STARTING: its first try
                if (!election.begin(won)) {
                    ((Held) won.lock()).unlock(true);
                }
            } else if (toTry.contains(entry.getKey())) {
                missed.add(entry.getKey());
            }
        }
        if (eventful && !missed.isEmpty() && !looked) {
            // who leads instead, for status() and refusals: only after a change, never at a safety-net try
            long askedAt = ticker.getAsLong();
            Map<Integer, LockHolder> holders = current.holdersOf(settings.namespace(), missed);
            acknowledged(askedAt);
            for (Integer key : missed) {
                wanted.get(key).sightings().saw(Optional.ofNullable(holders.get(key)));
            }
        }
        for (Election election : wanted.values()) {
            election.standby(); // from STARTING once it tried or looked; nothing for one that began a term
        }
    }

    /**
     * Judges a grab's token before any term begins ({@link TokenGuard}, docs/design/tokens.md §3): a token
     * not above one this node handed out or heard of, or one from another cluster than its first, begins no term.
     * The locks go at once with a {@code released} notice (no instance ran; the statement announced them already),
     * and the elections try again at the next timed try. Judged before the notices that came with the grab's answer
     * are read: those may be of concurrent takeovers whose transaction ids are above this one's.
     *
     * @return whether the grab was refused
     */
    private boolean refused(NodeStatements current, Map<Integer, Election> wanted, NodeStatements.Grab grab) {
        Optional<TokenGuard.Refusal> refusal = tokens.refusal(grab.token(), current.cluster());
        if (refusal.isEmpty()) {
            return false;
        }
        if (!refusal.get().repeated()) {
            LOG.log(Level.WARNING, refusal.get().message());
        }
        for (Integer key : grab.keys()) {
            new Held(current, wanted.get(key).key(), grab.token(), 0).unlock(true);
        }
        for (Election election : wanted.values()) {
            election.standby(); // from STARTING: its first try
        }
        return true;
    }

    /** Who holds the locks this node wants, for status() and refusals (after another node began a term). */
    private void look(NodeStatements current) throws SQLException {
        lookDue = false;
        Map<Integer, Election> wanted = new LinkedHashMap<>();
        for (Election election : wanting()) {
            wanted.putIfAbsent(election.key().key(), election);
        }
        if (wanted.isEmpty()) {
            return;
        }
        long askedAt = ticker.getAsLong();
        Map<Integer, LockHolder> holders = current.holdersOf(settings.namespace(), wanted.keySet());
        acknowledged(askedAt);
        wanted.forEach((key, election) -> election.sightings().saw(Optional.ofNullable(holders.get(key))));
    }

    /** The live nodes and their backends, for attributing notices; the watcher retargets if its target moved (W5). */
    private void scan(NodeStatements current) throws SQLException {
        scanDue = false;
        long sentAt = ticker.getAsLong();
        List<LiveNode> live = current.liveNodes(settings.namespace());
        acknowledged(sentAt);
        Map<Integer, Integer> pids = new java.util.HashMap<>();
        Set<Integer> keys = new HashSet<>();
        for (LiveNode node : live) {
            pids.put(node.pid(), node.liveness());
            keys.add(node.liveness());
        }
        boolean ringChanged = !keys.equals(liveKeys);
        livePids = pids;
        liveKeys = keys;
        // rule W5: a join or a leave moves one node's target (its predecessor's); the others' waits stand
        if (ringChanged && session != null && WatcherLoop.targetMoved(live, liveness, watching.watched())) {
            watching.retarget();
        }
        List<Notice.Heard> pending = new ArrayList<>(unattributed);
        unattributed.clear();
        for (Notice.Heard heard : pending) {
            if (livePids.containsKey(heard.pid())) {
                heardToken(heard.notice());
                strict.heard(heard.notice());
                if (heard.notice() instanceof Notice.Acquired acquired && wants(acquired.key())) {
                    lookDue = true;
                }
            } else {
                strict.heardUnattributed(heard.notice());
            }
        }
        if (placement.balanced()) {
            counted(live.stream().map(LiveNode::unsigned).toList(), sentAt);
        }
    }

    /** Balanced placement: counts the live nodes, and steps down what is over the share if N or it changed. */
    private void recount(NodeStatements current) throws SQLException {
        recountDue = false;
        scan(current);
    }

    private void counted(List<Long> live, long sentAt) {
        recountDue = false;
        schedule.counted(sentAt);
        boolean changed = placement.counted(live, liveness, elections.size());
        liveNodes = placement.nodes();
        share = placement.share();
        if (changed) {
            shedExcess();
        }
    }

    /**
     * Steps down, through each election's own step-down and its hold-off, the terms over this node's share, the
     * latest begun first; the release notices send them to the nodes under their share.
     */
    private void shedExcess() {
        Map<Election, Term> keeping = keeping();
        int excess = keeping.size() - share;
        if (excess <= 0) {
            return;
        }
        List<Map.Entry<Election, Term>> latestFirst = new ArrayList<>(keeping.entrySet());
        latestFirst.sort(Comparator.comparing((Map.Entry<Election, Term> entry) -> (Held) entry.getValue().lock(),
                LATEST_GRANTED_FIRST));
        for (Map.Entry<Election, Term> entry : latestFirst.subList(0, excess)) {
            LOG.log(Level.INFO, Messages.steppingDownToBalance(entry.getKey().name(), settings.nodeId(),
                    keeping.size(), share, liveNodes));
            entry.getKey().stepDown(Duration.ZERO); // the election's courtesy hold-off: it does not win it back
        }
    }

    /** @return the running terms that are not asked to step down, by election */
    private Map<Election, Term> keeping() {
        Map<Election, Term> keeping = new LinkedHashMap<>();
        for (Election election : elections) {
            ElectionState s = election.state();
            if (s.runningTerm() != null && s.stepDown() == null && !s.closing()) {
                keeping.put(election, s.runningTerm());
            }
        }
        return keeping;
    }

    private void heartbeat(NodeStatements current) throws SQLException {
        long sentAt = ticker.getAsLong();
        current.heartbeat(roundTrip());
        acknowledged(sentAt);
        probe.heartbeat(ticker.getAsLong() - sentAt);
    }

    /** A statement sent at {@code sentAt} was acknowledged: every running term's lease runs from there. */
    private void acknowledged(long sentAt) {
        schedule.sent(sentAt);
        for (Election election : elections) {
            Term running = election.state().runningTerm();
            if (running != null && running.lock() instanceof Held held && held.on == session) {
                running.lease().renew(sentAt); // never revives an ended or expired lease
            }
        }
    }

    /** @return whether a graceful end of a term waits for its instance to be destroyed */
    private boolean stopping() {
        for (Election election : elections) {
            ElectionState s = election.state();
            if (s.phase() == Phase.ENDING && s.ending().graceful() && !s.ending().stopped().isDone()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A notice. What changes nothing is dropped here (rule N3), so that a forged or repeated notice costs no
     * statement: a {@code joined} of a node already known, a {@code gone} of one not known, a {@code released} of
     * a lock no election here wants.
     */
    private void heard(Notice.Heard heard) {
        Notice notice = heard.notice();
        if (notice.namespace() != settings.namespace() || session == null) {
            return; // another deployment's; or heard on a session that is gone
        }
        if (heard.pid() == session.server().backendPid()) {
            return; // this session's own notice (a listener hears itself)
        }
        probe.noticeHeard(notice);
        boolean attributed = livePids.containsKey(heard.pid());
        if (attributed) {
            heardToken(notice); // an unattributed one counts once the scan shows its sender is a live node
        }
        if (notice instanceof Notice.Joined joined) {
            if (!liveKeys.contains(joined.liveness())) {
                scanDue = true; // coalesced: one scan however many came
                recountDue = true; // balanced placement: N grew, so a share may have shrunk
            }
        } else if (notice instanceof Notice.Gone gone) {
            if (liveKeys.contains(gone.liveness())) {
                someoneGone(gone.liveness());
            }
        } else if (notice instanceof Notice.Acquired || notice instanceof Notice.Released) {
            if (attributed) {
                strict.heard(notice);
            } else {
                unattributed.add(heard);
                scanDue = true;
            }
            if (notice instanceof Notice.Acquired acquired && attributed && wants(acquired.key())) {
                lookDue = true; // coalesced: one look however many came
            }
            if (notice instanceof Notice.Released released && wants(released.key())) {
                if (attributed) {
                    courtesy.othersTermEnded(); // the others had their turn at what this node left them
                }
                if (tokens == null || !tokens.refusing()) {
                    // a node whose last grab was refused waits for its timed try: the release may be another
                    // refusing node's, and answering each with a grab (and a release) makes them ping-pong
                    retryAll = true;
                    eventfulTry = true;
                }
            }
        } // a wake: only to end the read
    }

    /**
     * A token another live node handed out is a floor for this node's next term ({@link TokenGuard}). Only from a
     * live node's backend: any role that can connect can send a notice, and a forged high token taken as a floor
     * would make every node refuse every term (the simulation's forged notices did exactly that, seeds 8 and 242).
     */
    private void heardToken(Notice notice) {
        if (tokens != null && notice instanceof Notice.Acquired acquired) {
            tokens.heard(acquired.token());
        } else if (tokens != null && notice instanceof Notice.Released released) {
            tokens.heard(released.token());
        }
    }

    /** A node session is gone (a {@code gone} from a live node's watcher, or this node's own watcher). */
    private void someoneGone(int gone) {
        courtesy.gone(gone);
        afterGone = true;
        afterGoneUntil = ticker.getAsLong() + AFTER_GONE_WINDOW_NANOS;
        Set<Integer> keys = new HashSet<>(liveKeys);
        keys.remove(gone);
        liveKeys = keys;
        retryAll = true;
        eventfulTry = true;
        recountDue = true;
    }

    private boolean wants(int key) {
        for (Election election : wanting()) {
            if (election.key().key() == key) {
                return true;
            }
        }
        return false;
    }

    private long nextDue(boolean wanting) {
        long due = schedule.nextDue(holdsATerm(), wanting, placement.balanced());
        if (wanting && afterGone) {
            due = earliest(due, schedule.lastTry() + AFTER_GONE_RETRY_NANOS);
        }
        due = courtesy.earliest(due);
        for (Election election : elections) {
            ElectionState s = election.state();
            if (s.phase() == Phase.DISABLED) {
                due = earliest(due, s.holdOffUntil());
            } else if (s.phase() == Phase.ENDING) {
                due = earliest(due, s.ending().letGoBy());
            }
        }
        return due;
    }

    /** @return whether a term on this session still holds its lock: then it heartbeats every h */
    private boolean holdsATerm() {
        for (Election election : elections) {
            Term term = election.state().term();
            if (term != null && !term.lock().isLetGo()) {
                return true;
            }
        }
        return false;
    }

    /** How long a round trip may take: until s + L, not s + L − m (a driver that gives up frees the locks). */
    private Duration roundTrip() {
        long untilExpiry = schedule.lastSent() + settings.lease().toNanos() - ticker.getAsLong();
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), untilExpiry));
    }

    private List<Election> wanting() {
        List<Election> wanting = new ArrayList<>();
        for (Election election : elections) {
            ElectionState s = election.state();
            if ((s.phase() == Phase.STANDBY || s.phase() == Phase.STARTING) && !s.closing()) {
                wanting.add(election);
            }
        }
        return wanting;
    }

    private boolean allOver() {
        for (Election election : elections) {
            Phase phase = election.state().phase();
            if (phase != Phase.CLOSED && phase != Phase.FAILED) {
                return false;
            }
        }
        return true;
    }

    private void rethrowFailure(NodeStatements current) throws SQLException {
        SQLException failed = failure;
        failure = null;
        if (failed != null) {
            throw failed;
        }
        if (current.ended()) {
            throw new SQLException("the node session was aborted", "08003");
        }
    }

    /** The session failed or was aborted: every term on it ends, its locks are gone. */
    private void lost(Exception cause) {
        NodeStatements current = session;
        session = null;
        sessionOpen = false;
        failure = null;
        if (current != null) {
            current.abandon();
        }
        int ended = liveness;
        liveness = 0;
        courtesy.sessionEnded(ended);
        long now = ticker.getAsLong();
        for (Election election : elections) {
            Term running = election.state().runningTerm();
            if (running != null) {
                courtesy.lost(election.key().key(), ended, now);
                boolean expired = running.lease().remainingNanos() <= 0;
                LossReason reason = cause instanceof PoolerDetectedException ? LossReason.POOLER_DETECTED
                        : expired ? LossReason.LEASE_EXPIRED : LossReason.CONNECTION_LOST;
                election.endTerm(running, reason, Election.describe(cause));
            }
        }
        driveAll(null);
    }

    /** One line per node for a change of problem (not one per singleton, HL-0403). */
    private void problem(SQLException e) {
        if (e instanceof LockTableFullException) {
            if (!e.getMessage().equals(loggedLockTable)) {
                loggedLockTable = e.getMessage();
                LOG.log(Level.ERROR, e.getMessage()); // the whole story in one line: no stack trace, no HL-0403
            }
            return;
        }
        String problem = Election.describe(e);
        if (!problem.equals(loggedProblem)) {
            loggedProblem = problem;
            LOG.log(Level.WARNING, Messages.connectionLost("node " + settings.nodeId(), problem));
        }
    }

    static long earliest(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /**
     * Balanced shedding's order: the latest granted first, by the ticker, never by the wall clock (an NTP step would
     * reorder it, and a simulation could not replay it: SIM-CONTRACT §1); locks granted by the same statement by
     * token, then key, highest first, so that the choice never depends on chance.
     */
    static final Comparator<Held> LATEST_GRANTED_FIRST = (a, b) -> {
        long later = b.grantedAt - a.grantedAt; // by subtraction: the ticker may overflow between the two grants
        if (later != 0) {
            return later > 0 ? 1 : -1;
        }
        return a.token != b.token ? Long.compare(b.token, a.token) : Integer.compare(b.key.key(), a.key.key());
    };

    /** A term's lock on one node session (an incarnation: a lock never outlives the session it was taken on). */
    final class Held implements TermLock {

        private final NodeStatements on;
        private final LockKey key;
        private final long token;
        private final long holdNanos;
        /** The ticker's reading at the grant: the strict hold counts from here. */
        private final long grantedAt;
        /** Set by the loop before the term begins; read by the lifecycle thread after (published by the state). */
        private volatile boolean fenceClear;
        /** Set by the loop (unlocked) or the watchdog (aborted with the session); read by the election. */
        private final AtomicBoolean letGo = new AtomicBoolean();

        Held(NodeStatements on, LockKey key, long token, long holdNanos) {
            this.on = on;
            this.key = key;
            this.token = token;
            this.holdNanos = holdNanos;
            this.grantedAt = ticker.getAsLong();
        }

        /**
         * Rule S6: a release vouches that no instance of this key runs only once this term waited out its hold. Let go
         * during the hold (a step-down, a close, balanced placement's excess), its own instance never ran, but the
         * predecessor it was waiting out may still run until its lease is over: a strict node that heard a clean
         * {@code released} would start at once beside it (FINDINGS.md 1). So it is announced unclean.
         *
         * @return whether a release now may be announced clean
         */
        boolean waitedOut() {
            return ticker.getAsLong() - grantedAt >= holdNanos;
        }

        @Override
        public long holdBeforeStartNanos() {
            return holdNanos;
        }

        @Override
        public boolean fenceClear() {
            return fenceClear;
        }

        @Override
        public int backendPid() {
            return on.server().backendPid(); // the fence's check (internal/fence): who must still hold the lock
        }

        @Override
        public void release() {
            post(new LoopEvent.Unlock(this, true));
        }

        @Override
        public void abandon(LossReason reason) {
            switch (reason) {
                case LEASE_EXPIRED -> {
                    if (anotherTermHolds()) {
                        // aborting would free that term's lock while its instance may run on a valid lease (FINDINGS.md
                        // 5): unlock only this one, as 'abandoned'; the session ends when the last term on it goes
                        post(new LoopEvent.Unlock(this, false));
                    } else {
                        abortSession();
                    }
                }
                case CONNECTION_LOST, POOLER_DETECTED -> abortSession();
                // a graceful stop that overran its bound: the session is sound, but the instance may still run,
                // so the others hear 'abandoned', not 'released' (a strict node waits out the lease)
                default -> post(new LoopEvent.Unlock(this, false));
            }
        }

        /** The watchdog may be here while the loop is stuck in a round trip: abort from this thread. */
        private void abortSession() {
            on.abandon();
            letGo.set(true);
            wake();
        }

        /**
         * @return whether another term on this session still holds its lock and has not been let go: it runs (on a
         *         lease that may be valid), or it is ending and its own {@link Election#letGo} is still to come
         */
        private boolean anotherTermHolds() {
            for (Election election : elections) {
                ElectionState s = election.state();
                Phase phase = s.phase();
                if ((phase == Phase.ACQUIRED || phase == Phase.LEADING || phase == Phase.ENDING)
                        && s.term().lock() instanceof Held other && other != this && other.on == on
                        && !other.isLetGo()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean isLetGo() {
            return letGo.get() || on.ended();
        }

        /** Loop only: unlocks and tells the others; a failure ends the session (the step rethrows it). */
        void unlock(boolean clean) {
            if (isLetGo()) {
                return;
            }
            try {
                long sentAt = ticker.getAsLong();
                boolean vouched = clean && waitedOut();
                on.unlock(key, new Notice.Released(key.namespace(), key.key(), token, vouched), roundTrip());
                acknowledged(sentAt);
            } catch (SQLException e) {
                failure = e;
                on.abandon();
            } finally {
                letGo.set(true);
            }
        }
    }
}
