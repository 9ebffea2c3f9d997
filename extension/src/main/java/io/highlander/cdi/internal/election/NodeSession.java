package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.election.ElectionState.Ending;
import io.highlander.cdi.internal.election.ElectionState.Phase;
import io.highlander.cdi.internal.lock.FencingToken;
import io.highlander.cdi.internal.lock.Lease;
import io.highlander.cdi.internal.lock.LockHolder;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.PoolerDetectedException;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The node's <b>lock thread</b> ({@code highlander-node-lock}) and the one connection it owns, the node session:
 * every advisory lock this node wins lives on it, with the node's liveness lock, and one heartbeat renews every
 * term on it. See {@code package-info} for the design and its races. It never runs user code and moves each
 * {@link Election} only through its transitions.
 *
 * <p>Between statements it waits in a socket read for notices ({@code LISTEN highlander}, pgjdbc's
 * {@code getNotifications}), so the server ending the session is seen at once, and a lock another node released
 * is tried at once. Other threads never touch the connection (pgjdbc holds the connection's lock during that
 * read, and a thread blocked in a socket read ignores interrupts): they queue work and {@link #wake()} it, through
 * the node's {@link Watcher}, which sends a {@code wake} notice from the second connection.
 */
final class NodeSession {

    private static final System.Logger LOG = System.getLogger(Election.class.getName());
    static final String THREAD_NAME = "highlander-node-lock";
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The longest socket wait while the watcher is connected: a lost wake costs at most this (no statement). */
    private static final long WAKE_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** The longest socket wait while the watcher is not connected, so cannot send a wake. */
    private static final long WAKE_BOUND_WITHOUT_WATCHER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** The longest park while an instance is being destroyed, before the socket is read again. */
    private static final long STOPPING_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final HighlanderSettings settings;
    private final ConnectionSource connections;
    private final LifecycleThreads threads;
    private final Watcher watcher;
    private final List<Election> elections = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> requests = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicBoolean fallbackLogged = new AtomicBoolean();
    private final SecureRandom random = new SecureRandom();
    private final AtomicReference<String> loggedProblem = new AtomicReference<>();
    private volatile boolean readingSocket;
    private volatile boolean retryAll = true;
    private volatile boolean eventfulTry = true;
    private volatile LockSession session;
    private volatile boolean heartbeatOnly;
    private volatile int liveness;
    /** Balanced placement: N and this node's share as last counted (node thread writes). */
    private volatile int liveNodes;
    private volatile int share;
    /** Balanced placement: a notice said N may have changed; count again before the next try. */
    private volatile boolean recountDue;
    /** Node thread only: balanced placement's arithmetic, and when N was last counted. */
    private final FairShare fair = new FairShare();
    private long lastCount;
    private volatile Thread thread;
    /** Node thread only: a failure of a statement sent from inside a transition, rethrown by the loop. */
    private SQLException failure;
    private long lastSent;
    private long lastTry;
    /**
     * Node thread only, for {@code highlander.takeover=strict}: per key, the last notice heard on the current node
     * session: {@code acquired <token>}, or {@link #CLEAN} for a {@code released} whose {@code acquired} was heard
     * too, or {@link #UNCLEAN} for a {@code released} without it. Cleared at every connect.
     */
    private final Map<Integer, String> lastNotices = new java.util.HashMap<>();
    private static final String CLEAN = "clean";
    private static final String UNCLEAN = "unclean";
    /**
     * Node thread only: per key this node held when its session ended, when it may try that key again. It learns
     * of the end within milliseconds, as fast as a standby's watcher is granted the node's liveness lock, so trying
     * at once it could win its own lock back before any standby had its turn (seen on Payara: 1 ending in 15);
     * after a server restart the standbys, which held none, try first. It waits as after a step-down
     * ({@link Election#courtesyNanos}); a node that is alone takes them back afterwards.
     */
    private final Map<Integer, Long> rejoinAfter = new java.util.HashMap<>();
    /**
     * A {@code released} or {@code gone} came: the locks this node left to the others may have changed hands
     * since (a standby took one, then lost it too), so leaving them any longer only slows the next takeover.
     */
    private volatile boolean endCourtesy;
    /** Node thread only: the liveness key's random half of the last node session of this node that ended. */
    private int ended;
    /** Node thread only: the tokens this node handed out or heard of; see {@link TokenGuard}. */
    private final TokenGuard tokens;
    /** Node thread only: where the last node session was, logged when the next one is elsewhere. */
    private io.highlander.cdi.internal.lock.ClusterIdentity lastCluster;

    NodeSession(HighlanderSettings settings, ConnectionSource connections, LifecycleThreads threads,
                ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.connections = connections;
        this.threads = threads;
        this.watcher = new Watcher(this, settings, connections, threads, scheduler);
        this.tokens = new TokenGuard(settings.nodeId());
    }

    /** Before {@link #start}: an election this node session serves. */
    void serve(Election election) {
        elections.add(election);
    }

    void start() {
        thread = threads.newThread(THREAD_NAME, this::run);
        thread.start(); // the watcher starts once the node session is open: see open()
    }

    /** Any thread: something changed (a state, a finished stop, queued work); look again soon. */
    void wake() {
        pending.set(true);
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
        if (readingSocket) {
            watcher.wake(); // the thread is in a socket read: only a notice reaches it
        }
    }

    /** Watcher: a watched node is gone; try the wanted locks at once. */
    void someoneGone() {
        endCourtesy = true;
        retryAll = true;
        eventfulTry = true;
        recountDue = true;
        if (heartbeatOnly) {
            wake(); // a listening session gets the watcher's notice from the server anyway
        }
    }

    /** Waits for the thread to end, at most {@code millis}; aborts the session if it does not. */
    void awaitEnd(long millis) {
        Thread current = thread;
        if (current != null && current != Thread.currentThread()) {
            try {
                current.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LockSession open = session;
            if (current.isAlive() && open != null) {
                open.abandon();
            }
        }
        watcher.close(millis);
    }

    /** @return whether the node session and the watcher both hold a connection now */
    boolean connected() {
        return session != null && watcher.connected();
    }

    /** @return whether the node session is open now */
    boolean sessionOpen() {
        return session != null;
    }

    /** @return how many connections of the DataSource this node holds now: at most 2 */
    int heldConnections() {
        return (session != null ? 1 : 0) + (watcher.connected() ? 1 : 0);
    }

    /** @return whether the node session could not be unwrapped to pgjdbc, so waits without reading its socket */
    boolean heartbeatOnly() {
        return heartbeatOnly;
    }

    /** @return the random half of the current node session's liveness key, 0 while none */
    int liveness() {
        return liveness;
    }

    String nodeId() {
        return settings.nodeId();
    }

    /** @return N as last counted under balanced placement; 0 under first come, which does not count */
    int liveNodes() {
        return liveNodes;
    }

    /** @return how many of its elections this node may lead now */
    int share() {
        return balanced() ? share : elections.size();
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

    // ---- the node thread ----

    private void run() {
        long backoff = MIN_BACKOFF_NANOS;
        try {
            while (!allOver()) {
                LockSession current = null;
                try {
                    current = open();
                    session = current;
                    loggedProblem.set(null);
                    backoff = MIN_BACKOFF_NANOS;
                    serve(current);
                    if (allOver()) {
                        liveness = 0;
                        current.release(null); // every lock left, the liveness lock, LISTEN, settings
                    }
                } catch (PoolerDetectedException e) {
                    LOG.log(Level.ERROR, e.getMessage());
                    lost(current, e);
                    elections.forEach(Election::fail);
                    return;
                } catch (SQLException e) {
                    lost(current, e);
                    if (!allOver()) {
                        problem(e);
                        pause(backoff);
                        backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, Messages.unexpected("node " + settings.nodeId()), e);
                    lost(current, e);
                    pause(MAX_BACKOFF_NANOS);
                } finally {
                    session = null;
                    liveness = 0;
                }
            }
        } catch (Error e) {
            LOG.log(Level.ERROR, Messages.unexpected("node " + settings.nodeId()), e);
            elections.forEach(Election::fail);
            throw e;
        } finally {
            elections.forEach(Election::closed);
            watcher.close(TimeUnit.SECONDS.toMillis(1)); // also after a pooler failed every election
        }
    }

    /** Opens the node session: settings, liveness lock, LISTEN (or the fallback), a {@code joined} notice. */
    private LockSession open() throws SQLException {
        driveAll(null); // elections that closed or finished while there was no session
        LockSession opened = LockSession.open(connections, label(), settings.nodeId(), settings.lease(),
                settings.standbyInterval());
        try {
            int drawn;
            do {
                drawn = random.nextInt();
            } while (drawn == 0 || !opened.takeLiveness(settings.namespace(), drawn)); // 0 means none
            boolean listening = opened.listen();
            heartbeatOnly = !listening;
            if (!listening && fallbackLogged.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, Messages.noSocketWait(settings.nodeId(), connections.description(),
                        settings.heartbeat(), settings.standbyInterval()));
            }
            liveness = drawn;
            lastNotices.clear(); // what was heard on an earlier session says nothing: notices may have been missed
            fair.reset();
            liveNodes = 0;
            share = 0;
            recountDue = true; // counted after the liveness lock is ours, so this node counts itself
            lastSent = System.nanoTime();
            opened.notify("joined " + Integer.toUnsignedString(drawn));
            retryAll = true;
            eventfulTry = true;
            // only now: the node session's own detectors have run, so a transaction pooler is told by them
            // before a waiting watcher could hold up the pooler's server connections
            watcher.start();
            watcher.retarget();
            for (Election election : elections) {
                election.sightings().connected(opened.cluster().toString()); // which server, cluster and timeline
            }
            if (!opened.cluster().equals(lastCluster)) {
                // an operator sees every node follow a failover (a new timeline) or land on another cluster
                LOG.log(Level.INFO, Messages.sessionOn(settings.nodeId(), opened.cluster(), lastCluster));
                lastCluster = opened.cluster();
            }
            tokens.connected(opened.cluster());
            return opened;
        } catch (SQLException | RuntimeException e) {
            opened.abandon();
            throw e;
        }
    }

    /** @return whose lock connection this is, for messages: the singleton's name, or the node for several */
    String label() {
        return elections.size() == 1 ? elections.get(0).name() : "node " + settings.nodeId();
    }

    /** Runs the elections on {@code current} until every election is over; throws when the session fails. */
    private void serve(LockSession current) throws SQLException {
        while (true) {
            pending.set(false);
            runRequests();
            driveAll(current);
            rethrowFailure(current);
            if (allOver()) {
                return;
            }
            long now = System.nanoTime();
            if (endCourtesy) {
                // another node ended a term since: the others had their turn at the locks this node left them
                endCourtesy = false;
                rejoinAfter.clear();
            }
            if (rejoinAfter.values().removeIf(until -> now - until >= 0)) {
                retryAll = true; // a lock this node left to the others: its turn now, if nobody took it
                eventfulTry = true;
            }
            if (balanced() && (recountDue || now - lastCount >= settings.standbyInterval().toNanos())) {
                recount(current);
                continue; // shed what is over the share before trying anything
            }
            if (!wanting().isEmpty() && (retryAll || now - lastTry >= settings.standbyInterval().toNanos())) {
                grab(current);
                continue; // look at the new terms before waiting
            }
            if (now - lastSent >= keepAliveNanos()) {
                heartbeat(current);
                continue;
            }
            await(current, nextDue());
            if (Thread.interrupted()) {
                elections.forEach(Election::interrupted);
            }
        }
    }

    /** Moves every election on as far as it goes without waiting. */
    private void driveAll(LockSession current) {
        for (Election election : elections) {
            drive(election, current);
        }
    }

    private void drive(Election election, LockSession current) {
        ElectionState s = election.state();
        switch (s.phase()) {
            case STARTING, DISABLED, STANDBY -> {
                if (s.closing()) {
                    election.closed();
                } else if (current != null && s.phase() == Phase.DISABLED
                        && System.nanoTime() - s.holdOffUntil() >= 0) {
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
                if (how.stopped().isDone() || System.nanoTime() - how.letGoBy() >= 0 || s.term().lock().isLetGo()) {
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
     * Tries every lock a standby election of this node wants, in one statement. Under balanced placement a node
     * under its share tries them all and keeps at most what its share has room for; a node at or over its share
     * only looks who holds them and tries those nobody held at every look for a standby interval (see
     * {@code package-info}, "Balanced placement").
     */
    private void grab(LockSession current) throws SQLException {
        Map<Integer, Election> wanted = new LinkedHashMap<>();
        for (Election election : wanting()) {
            if (!leftToOthers(election.key().key())) {
                wanted.putIfAbsent(election.key().key(), election);
            }
        }
        if (wanted.isEmpty()) {
            retryAll = false;
            lastTry = System.nanoTime();
            return; // only keys this node leaves to the others for now: nextDue() wakes it when that ends
        }
        boolean eventful = eventfulTry;
        retryAll = false;
        eventfulTry = false;
        Collection<Integer> toTry = wanted.keySet();
        int room = Integer.MAX_VALUE;
        boolean looked = false;
        if (balanced()) {
            room = share - keeping().size();
            if (room <= 0) {
                long askedAt = System.nanoTime();
                Map<Integer, LockHolder> holders = current.holdersOf(settings.namespace(), wanted.keySet());
                acknowledged(askedAt);
                lastTry = askedAt;
                for (Map.Entry<Integer, Election> entry : wanted.entrySet()) {
                    entry.getValue().sightings().saw(Optional.ofNullable(holders.get(entry.getKey())));
                }
                looked = true;
                toTry = fair.looked(wanted.keySet(), holders.keySet(), askedAt, settings.standbyInterval().toNanos());
                room = Integer.MAX_VALUE; // what nobody took for so long is kept: liveness comes before balance
            }
        }
        LockSession.Grab grab = new LockSession.Grab(Set.of(), -1);
        long sentAt = System.nanoTime();
        if (!toTry.isEmpty()) {
            grab = current.tryAcquireAll(settings.namespace(), toTry, roundTrip());
            acknowledged(sentAt);
            lastTry = sentAt;
            fair.tried(toTry);
        }
        if (!grab.keys().isEmpty()) {
            grab = new LockSession.Grab(grab.keys(), FencingToken.aboveFloor(grab.token(), settings.tokenFloor()));
            Optional<TokenGuard.Refusal> refusal = tokens.refusal(grab.token(), current.cluster());
            if (refusal.isPresent()) {
                // never begin a term with a token not above one already handed out: let the locks go with a
                // notice the others ignore, and try again at the next safety-net try
                if (!refusal.get().repeated()) {
                    LOG.log(Level.WARNING, refusal.get().message());
                }
                for (Integer key : grab.keys()) {
                    current.unlock(wanted.get(key).key(), "refused " + key, roundTrip());
                }
                wanted.values().forEach(Election::standby);
                return;
            }
        }
        boolean strict = settings.takeover() == HighlanderSettings.Takeover.STRICT;
        if (strict && !grab.keys().isEmpty() && current.canAwaitNotices()) {
            // every notice committed before the grab reached pgjdbc's queue before the grab's answer did: read
            // them before judging whether the last term ended cleanly
            for (String notice : current.awaitNotices(1)) {
                heard(notice);
            }
        }
        if (strict && !grab.keys().isEmpty()) {
            // committed before any of these terms' instances starts: see package-info (strict takeover)
            long announcedAt = System.nanoTime();
            current.announce(grab.keys(), grab.token(), roundTrip());
            acknowledged(announcedAt);
        }
        List<Integer> missed = new ArrayList<>();
        int kept = 0;
        for (Map.Entry<Integer, Election> entry : wanted.entrySet()) {
            Election election = entry.getValue();
            if (grab.keys().contains(entry.getKey()) && kept >= room) {
                // more came free than this node's share has room for: let the rest go before anything started,
                // with a release notice, so that another node under its share takes them
                new Held(current, election.key(), grab.token(), 0).release();
            } else if (grab.keys().contains(entry.getKey())) {
                kept++;
                if (looked) {
                    LOG.log(Level.INFO, Messages.takenBeyondShare(election.name(), settings.nodeId(),
                            settings.standbyInterval()));
                }
                Lease lease = new Lease(settings.lease(), settings.stopMargin(), System::nanoTime);
                lease.begin(sentAt); // the grant lies inside the statement, after its send: see package-info
                long hold = strict && !CLEAN.equals(lastNotices.get(entry.getKey()))
                        ? settings.lease().plus(settings.stopMargin()).toNanos() : 0;
                Term won = new Term(grab.token(), lease, new Held(current, election.key(), grab.token(), hold),
                        Instant.now());
                election.standby(); // from STARTING: its first try
                if (!election.begin(won)) {
                    won.lock().release();
                }
            } else if (toTry.contains(entry.getKey())) {
                missed.add(entry.getKey());
            }
        }
        if (eventful && !missed.isEmpty() && !looked) {
            // who leads instead, for status() and refusals: only after a change, never at a safety-net try
            long askedAt = System.nanoTime();
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

    /** Balanced placement: counts the live nodes, and steps down what is over the share if N or it changed. */
    private void recount(LockSession current) throws SQLException {
        recountDue = false;
        long sentAt = System.nanoTime();
        List<Long> live = current.liveNodes(settings.namespace());
        acknowledged(sentAt);
        lastCount = sentAt;
        boolean changed = fair.count(live, liveness, elections.size());
        liveNodes = fair.nodes();
        share = fair.share();
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
        latestFirst.sort(Comparator.comparing((Map.Entry<Election, Term> entry) -> entry.getValue().began())
                .reversed());
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

    private boolean balanced() {
        return settings.placement() == HighlanderSettings.Placement.BALANCED;
    }

    private void heartbeat(LockSession current) throws SQLException {
        long sentAt = System.nanoTime();
        current.heartbeat(roundTrip());
        acknowledged(sentAt);
    }

    /** A statement sent at {@code sentAt} was acknowledged: every running term's lease runs from there. */
    private void acknowledged(long sentAt) {
        lastSent = sentAt;
        for (Election election : elections) {
            Term running = election.state().runningTerm();
            if (running != null && running.lock() instanceof Held held && held.on == session) {
                running.lease().renew(sentAt); // never revives an ended or expired lease
            }
        }
    }

    /**
     * Waits for notices until {@code until}, or until woken. A socket read if pgjdbc is reachable; otherwise a
     * park, ended by {@link #wake()} (then a lock another node released is tried at the next safety-net try).
     */
    private void await(LockSession current, long until) throws SQLException {
        long left = until - System.nanoTime();
        if (left <= 0 || pending.get()) {
            return;
        }
        if (!current.canAwaitNotices() || stopping()) {
            // while an instance is being destroyed, park rather than read: its end wakes this thread with an
            // unpark, at once, where a read would need the watcher's notice; briefly deaf to the socket
            LockSupport.parkNanos(this, current.canAwaitNotices() ? Math.min(left, STOPPING_PARK_NANOS) : left);
            return;
        }
        long bound = watcher.connected() ? WAKE_BOUND_NANOS : WAKE_BOUND_WITHOUT_WATCHER_NANOS;
        int millis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, bound) + 999_999));
        readingSocket = true;
        try {
            if (pending.get()) {
                return; // a wake came between the check above and the flag: it saw no reader, so look now
            }
            for (String notice : current.awaitNotices(millis)) {
                heard(notice);
            }
        } finally {
            readingSocket = false;
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

    private void heard(String notice) {
        String[] words = notice.split(" ");
        if (words[0].equals("released") || words[0].equals("gone")) {
            if (!(words[0].equals("gone") && words.length == 2 && words[1].equals(Integer.toUnsignedString(ended)))) {
                endCourtesy = true; // but not for the news of this node's own ended session: that is the others' turn
            }
            retryAll = true;
            eventfulTry = true;
            recountDue = true;
        } else if (words[0].equals("joined")) {
            watcher.retarget();
            recountDue = true; // balanced placement: N grew, so a share may have shrunk
        } // "wake ...": only to end the read
        if (words.length == 3 && (words[0].equals("acquired") || words[0].equals("released"))) {
            try {
                int key = Integer.parseInt(words[1]);
                if (words[0].equals("acquired")) {
                    lastNotices.put(key, "acquired " + words[2]);
                    tokens.heard(Long.parseLong(words[2]));
                } else {
                    lastNotices.put(key, ("acquired " + words[2]).equals(lastNotices.get(key)) ? CLEAN : UNCLEAN);
                }
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
    }

    /**
     * @return whether this node still leaves {@code key}, held on a session that ended, to the other nodes (the
     *         loop drops an entry whose time is up before it tries)
     */
    private boolean leftToOthers(int key) {
        return rejoinAfter.containsKey(key);
    }

    private long nextDue() {
        long due = lastSent + keepAliveNanos();
        for (long until : rejoinAfter.values()) {
            due = earliest(due, until);
        }
        if (!wanting().isEmpty()) {
            due = earliest(due, lastTry + settings.standbyInterval().toNanos());
        }
        if (balanced()) {
            due = earliest(due, lastCount + settings.standbyInterval().toNanos());
        }
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

    /** A node session with a term heartbeats every h; one without only keeps itself alive (every L/2). */
    private long keepAliveNanos() {
        for (Election election : elections) {
            Term term = election.state().term();
            if (term != null && !term.lock().isLetGo()) {
                return settings.heartbeat().toNanos();
            }
        }
        return settings.lease().toNanos() / 2;
    }

    /** How long a round trip may take: until s + L, not s + L − m (a driver that gives up frees the locks). */
    private Duration roundTrip() {
        long untilExpiry = lastSent + settings.lease().toNanos() - System.nanoTime();
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

    private void runRequests() {
        Runnable request;
        while ((request = requests.poll()) != null) {
            request.run();
        }
    }

    private void rethrowFailure(LockSession current) throws SQLException {
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
    private void lost(LockSession current, Exception cause) {
        if (current != null) {
            current.abandon();
        }
        long courtesy = Election.courtesyNanos(settings);
        ended = liveness;
        for (Election election : elections) {
            Term running = election.state().runningTerm();
            if (running != null) {
                rejoinAfter.put(election.key().key(), System.nanoTime() + courtesy);
                boolean expired = running.lease().remainingNanos() <= 0;
                LossReason reason = cause instanceof PoolerDetectedException ? LossReason.POOLER_DETECTED
                        : expired ? LossReason.LEASE_EXPIRED : LossReason.CONNECTION_LOST;
                election.endTerm(running, reason, Election.describe(cause));
            }
        }
        driveAll(null);
    }

    private void problem(SQLException e) {
        String problem = Election.describe(e);
        if (!problem.equals(loggedProblem.getAndSet(problem))) {
            for (Election election : elections) {
                election.sightings().problem(e);
            }
        }
    }

    private void pause(long nanos) {
        long until = System.nanoTime() + nanos;
        while (!allOver() && System.nanoTime() - until < 0) {
            driveAll(null);
            LockSupport.parkNanos(this, Math.min(until - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100)));
            if (Thread.interrupted()) {
                elections.forEach(Election::interrupted);
            }
        }
    }

    private static long earliest(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /** A term's lock on one node session (an incarnation: a lock never outlives the session it was taken on). */
    private final class Held implements TermLock {

        private final LockSession on;
        private final LockKey key;
        private final long token;
        private final long holdNanos;
        private final AtomicBoolean letGo = new AtomicBoolean();

        Held(LockSession on, LockKey key, long token, long holdNanos) {
            this.on = on;
            this.key = key;
            this.token = token;
            this.holdNanos = holdNanos;
        }

        @Override
        public long holdBeforeStartNanos() {
            return holdNanos;
        }

        @Override
        public void release() {
            if (Thread.currentThread() == thread) {
                unlock();
            } else {
                requests.add(this::unlock);
                wake();
            }
        }

        @Override
        public void abandon(LossReason reason) {
            switch (reason) {
                case CONNECTION_LOST, LEASE_EXPIRED, POOLER_DETECTED -> {
                    on.abandon();
                    letGo.set(true);
                    wake();
                }
                default -> release();
            }
        }

        @Override
        public boolean isLetGo() {
            return letGo.get() || on.ended();
        }

        /** Node thread: unlocks and sends {@code released}; a failure ends the session (the loop rethrows it). */
        private void unlock() {
            if (isLetGo()) {
                return;
            }
            try {
                long sentAt = System.nanoTime();
                on.unlock(key, "released " + key.key() + " " + token, roundTrip());
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
