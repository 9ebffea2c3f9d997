package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.internal.fence.FenceKey;
import io.highlander.cdi.internal.lock.ClusterIdentity;
import io.highlander.cdi.internal.lock.LiveNode;
import io.highlander.cdi.internal.lock.LockHolder;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.ServerInfo;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.testing.LogRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The node loop stepped by hand on a scripted node session: which statements an event costs, and what the driver
 * is told to do. No thread, no database.
 */
class NodeLoopTest {

    private static final int SELF = 11;
    private static final int OTHER = 22;
    private static final int OTHER_PID = 2002;

    private final FakeTicker ticker = new FakeTicker();
    private final HighlanderSettings settings = HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(10))
            .heartbeat(Duration.ofSeconds(2)).standbyInterval(Duration.ofHours(1)).build();
    private final int ns = settings.namespace();
    private final ScriptedSession session = new ScriptedSession();
    private final NodeLoop loop = new NodeLoop(settings, new OneSession(session), ticker, () -> SELF);
    private final CountingWatcher watcher = new CountingWatcher();
    private final ScriptedInstances instances = new ScriptedInstances();
    private final Election election = new Election("ticker", null, settings, null, loop, e -> instances,
            (task, delay) -> { }, ticker);

    NodeLoopTest() {
        loop.watchWith(watcher);
    }

    @Test
    void aJoinedOfANodeAlreadyKnownCostsNothingHoweverOftenItComes() {
        settle();
        int scans = session.scans;
        int retargets = watcher.retargets;

        for (int i = 0; i < 50; i++) {
            loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Joined(ns, OTHER), OTHER_PID)));
        }
        settle();

        assertThat(session.scans).as("scans of the live nodes").isEqualTo(scans);
        assertThat(watcher.retargets).as("watcher retargets").isEqualTo(retargets);
    }

    @Test
    void joinedNoticesOfUnknownNodesCostOneScanPerBatchAndARetargetOnlyIfTheRingChanged() {
        settle();
        int scans = session.scans;
        int retargets = watcher.retargets;

        for (int i = 0; i < 10; i++) { // forged: nobody new holds a liveness lock
            loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Joined(ns, 1000 + i), 9000 + i)));
        }
        settle();

        assertThat(session.scans).isEqualTo(scans + 1);
        assertThat(watcher.retargets).as("the ring did not change").isEqualTo(retargets);
    }

    @Test
    void aNodeJoiningElsewhereInTheRingCostsThisNodesWatcherNoRetarget() {
        settle();
        watcher.watched = OTHER; // its watcher found its target: the next after SELF (11) is OTHER (22)
        int scans = session.scans;
        int retargets = watcher.retargets;

        session.live.add(new LiveNode(33, 3003)); // after OTHER: 11 → 22 → 33 → 11, so OTHER's target moved, not ours
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Joined(ns, 33), 3003)));
        settle();

        assertThat(session.scans).as("the unknown node is scanned for").isEqualTo(scans + 1);
        assertThat(watcher.retargets).as("rule W5: the ring changed, this node's target did not (a retarget cancels"
                + " the wait: at 100 nodes every join cancelled 100 waits)").isEqualTo(retargets);
    }

    @Test
    void aNodeJoiningRightAfterThisOneRetargetsItsWatcher() {
        settle();
        watcher.watched = OTHER;
        int retargets = watcher.retargets;

        session.live.add(new LiveNode(15, 1515)); // 11 → 15 → 22: the next after SELF is now the new node
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Joined(ns, 15), 1515)));
        settle();

        assertThat(watcher.retargets).isEqualTo(retargets + 1);
    }

    @Test
    void notesOfAnotherNamespaceAndReleasesOfLocksNobodyHereWantsSendNothing() {
        settle();
        int statements = session.statements;

        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Released(ns + 1, election.key().key(), 5, true),
                OTHER_PID)));
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Released(ns, election.key().key() + 1, 5, true),
                OTHER_PID)));
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Gone(ns, 4242), OTHER_PID)));
        settle();

        assertThat(session.statements).isEqualTo(statements);
    }

    @Test
    void aReleaseOfAWantedLockIsTriedAtOnce() {
        settle();
        int tries = session.tries;
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Released(ns, election.key().key(), 5, true),
                OTHER_PID)));
        settle();
        assertThat(session.tries).isEqualTo(tries + 1);
    }

    @Test
    void aTermWhoseCompanionTheGrabFoundBusyWaitsAtTheBarrierAndOneFoundFreeDoesNot() {
        // docs/design/fencing.md F6: the companion's try rides on the takeover statement, in the companions' namespace
        session.free.add(election.key().key());
        session.companionBusy.add(election.key().key());
        settle();
        assertThat(session.companionsAsked).containsOnly(FenceKey.namespaceOf(ns));
        assertThat(election.state().term().lock().fenceClear()).isFalse();

        ScriptedSession clear = new ScriptedSession();
        NodeLoop clearLoop = new NodeLoop(settings, new OneSession(clear), ticker, () -> SELF);
        clearLoop.watchWith(new CountingWatcher());
        Election clearElection = new Election("ticker", null, settings, null, clearLoop, e -> new ScriptedInstances(),
                (task, delay) -> { }, ticker);
        clear.free.add(clearElection.key().key());
        settle(clearLoop);
        assertThat(clearElection.state().term().lock().fenceClear()).isTrue();
    }

    @Test
    void whileAnInstanceIsBeingDestroyedTheLoopStillReadsItsSocketInShortSlices() {
        session.free.add(election.key().key());
        NodeLoop.Step step = settle();
        assertThat(election.state().phase()).isEqualTo(ElectionState.Phase.ACQUIRED);
        assertThat(step.readFrom()).isSameAs(session);

        election.stepDown(Duration.ZERO);
        step = settle();

        assertThat(election.state().phase()).isEqualTo(ElectionState.Phase.ENDING);
        assertThat(step.readFrom()).as("never deaf to the session's end (rule L3)").isSameAs(session);
        assertThat(step.sliceNanos()).as("so short that @PreDestroy's return needs no wake to be seen (issue 22)")
                .isEqualTo(SocketReads.STOP_READ_NANOS);

        instances.stopped.get(0).complete(null);
        settle();
        assertThat(session.unlocked).containsExactly(new Notice.Released(ns, election.key().key(), 1, true));
    }

    @Test
    void aStepDownWakesTheDriverBeforeTheStopsOwnWorkAndTheStopsEndNeedsNoSecondNotice() {
        session.free.add(election.key().key());
        settle();
        List<Integer> stopsQueuedAtEachWake = new ArrayList<>();
        loop.drive(new NodeLoop.Driver() {
            @Override
            public void wake() {
                stopsQueuedAtEachWake.add(instances.stopped.size());
            }

            @Override
            public void awaitEnd(long millis) {
            }
        });

        election.stepDown(Duration.ZERO);

        // the driver's wake through the watcher takes milliseconds: it must overlap @PreDestroy, not follow the
        // destruction's queueing and the term's end line (rule L6)
        assertThat(stopsQueuedAtEachWake).as("@PreDestroy queued when the driver was woken").first().isEqualTo(0);
        NodeLoop.Step step = settle();
        assertThat(step.sliceNanos()).as("the stop's end is then seen within a read (rule L3)")
                .isEqualTo(SocketReads.STOP_READ_NANOS);
    }

    @Test
    void aCloseWakesTheDriverBeforeTheStopsOwnWork() {
        session.free.add(election.key().key());
        settle();
        List<Integer> stopsQueuedAtEachWake = new ArrayList<>();
        loop.drive(new NodeLoop.Driver() {
            @Override
            public void wake() {
                stopsQueuedAtEachWake.add(instances.stopped.size());
            }

            @Override
            public void awaitEnd(long millis) {
            }
        });

        election.requestClose();

        // a node that closes several elections wakes its driver once per election: each wake must overlap its
        // stop, and none may hold up the next election's stop (rule L6)
        assertThat(stopsQueuedAtEachWake).as("@PreDestroy queued when the driver was woken").first().isEqualTo(0);
        assertThat(instances.stopped).as("the term still ends on the closing thread").hasSize(1);
        NodeLoop.Step step = settle();
        assertThat(step.sliceNanos()).isEqualTo(SocketReads.STOP_READ_NANOS);
    }

    @Test
    void aSocketFailureEndsEveryTermOfTheSessionAndReconnectsAfterABackoff() {
        session.free.add(election.key().key());
        settle();
        loop.post(new LoopEvent.SocketFailed(new java.sql.SQLException("terminated", "57P01")));
        NodeLoop.Step step = settle();

        assertThat(election.state().ending().reason()).isEqualTo(LossReason.CONNECTION_LOST);
        assertThat(step.readFrom()).isNull();
        assertThat(step.until() - ticker.getAsLong()).as("the first backoff").isPositive();
        assertThat(session.ended()).isTrue();
    }

    @Test
    void aTokenInANoticeFromABackendThatIsNoLiveNodeIsNoFloor() {
        // any role that can connect can NOTIFY: a forged high token taken as a floor made every node refuse every
        // term (simulation seeds 8 and 242 with forged notices: singletons unled for good)
        settle();
        int forger = 31337;
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Acquired(ns, election.key().key(), 1_000_000),
                forger)));
        settle();
        session.free.add(election.key().key());
        session.nextToken = 50;

        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Released(ns, election.key().key(), 7, true),
                OTHER_PID)));
        settle();

        assertThat(election.state().term()).as("a term begun with the server's token").isNotNull();
        assertThat(election.state().term().fencingToken()).isEqualTo(50);
    }

    @Test
    void aGrabWhoseTokenIsNotAboveOneHeardBeginsNoTermAndLetsTheLockGoCleanly() {
        settle();
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Acquired(ns, election.key().key() + 1, 100),
                OTHER_PID)));
        settle();
        session.free.add(election.key().key());
        session.nextToken = 50; // the database went back without a new timeline

        try (LogRecorder log = LogRecorder.of(Election.class.getName())) {
            loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Released(ns, election.key().key(), 7, true),
                    OTHER_PID)));
            settle();

            assertThat(election.state().phase()).isEqualTo(ElectionState.Phase.STANDBY);
            assertThat(session.unlocked).as("let go before anything started")
                    .containsExactly(new Notice.Released(ns, election.key().key(), 50, true));
            assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0341")).containsExactly(
                    "HL-0341: node a does not lead: PostgreSQL at sim/db (cluster unknown, timeline 1) handed out"
                            + " fencing token 50, not above token 100 (announced by another node), so the database went"
                            + " back to an earlier state without a new timeline; it tries again each standby interval"
                            + " and leads once the server's tokens pass 100.");
        }

        session.free.add(election.key().key());
        session.nextToken = 101;
        ticker.advance(settings.standbyInterval()); // a refusing node tries again at its timed try (HL-0341)
        settle();
        assertThat(election.state().term().fencingToken()).isEqualTo(101);
    }

    @Test
    void aSessionOnAnotherClusterBeginsNoTermWhateverItsTokenAndSaysWhereItIs() {
        session.cluster = new ClusterIdentity("sim/db", OptionalLong.of(1), 1);
        try (LogRecorder log = LogRecorder.of(Election.class.getName())) {
            settle();
            loop.post(new LoopEvent.SocketFailed(new java.sql.SQLException("terminated", "57P01")));
            settle();
            session.ended = false;
            session.cluster = new ClusterIdentity("sim/db", OptionalLong.of(2), 1);
            session.free.add(election.key().key());
            session.nextToken = 1_000_000;
            ticker.advance(Duration.ofSeconds(2)); // past the reconnect's backoff
            settle();

            assertThat(election.state().phase()).isEqualTo(ElectionState.Phase.STANDBY);
            assertThat(session.unlocked).extracting(Notice.Released::token).containsExactly(1_000_000L);
            assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0450")).containsExactly(
                    "HL-0450: node a's session is on sim/db (cluster 1, timeline 1).",
                    "HL-0450: node a's session is on sim/db (cluster 2, timeline 1), before on sim/db (cluster 1,"
                            + " timeline 1).");
            assertThat(log.messages()).filteredOn(m -> m.startsWith("HL-0342")).hasSize(1);
        }
    }

    @Test
    void aNodeWhoseLastGrabWasRefusedDoesNotAnswerAReleaseWithAGrabSoRefusingNodesDoNotPingPong() {
        session.cluster = new ClusterIdentity("sim/db", OptionalLong.of(1), 1);
        settle();
        loop.post(new LoopEvent.SocketFailed(new java.sql.SQLException("terminated", "57P01")));
        settle();
        session.ended = false;
        session.cluster = new ClusterIdentity("sim/db", OptionalLong.of(2), 1); // every grab is refused now
        session.free.add(election.key().key());
        ticker.advance(Duration.ofSeconds(2));
        settle();
        assertThat(session.unlocked).as("refused once").hasSize(1);
        int tries = session.tries;

        // another node on the new cluster refused too, and let the lock go with its own 'released'
        session.free.add(election.key().key());
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Released(ns, election.key().key(), 9, true),
                OTHER_PID)));
        settle();

        assertThat(session.tries).as("waits for its timed try").isEqualTo(tries);
        assertThat(session.unlocked).hasSize(1);
    }

    @Test
    void withoutTheTokenGuardALowTokenBeginsATermAsASimulationMayAsk() {
        ScriptedSession unguarded = new ScriptedSession();
        NodeLoop bare = new NodeLoop(settings, new OneSession(unguarded), ticker, () -> SELF,
                NodeLoop.Policies.of(settings).withoutTokenGuard());
        bare.watchWith(new CountingWatcher());
        Election ticking = new Election("ticker", null, settings, null, bare, e -> new ScriptedInstances(),
                (task, delay) -> { }, ticker);
        bare.step();
        bare.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Acquired(ns, ticking.key().key() + 1, 100),
                OTHER_PID)));
        bare.step();
        unguarded.free.add(ticking.key().key());
        unguarded.nextToken = 50;

        bare.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Released(ns, ticking.key().key(), 7, true),
                OTHER_PID)));
        for (int i = 0; i < 10 && ticking.state().term() == null; i++) {
            bare.step();
        }

        assertThat(ticking.state().term().fencingToken()).isEqualTo(50);
        assertThat(NodeLoop.Policies.of(settings).tokenGuard()).as("on in production").isTrue();
    }

    @Test
    void afterAGoneTheLocksAreTriedAgainShortlyForAWhileSinceTheEndedBackendLetsThemGoOneAfterTheOther() {
        settle();
        loop.post(new LoopEvent.WatcherSawGone(OTHER));
        NodeLoop.Step step = settle();
        int tries = session.tries;
        assertThat(step.until() - ticker.getAsLong()).isLessThanOrEqualTo(NodeLoop.AFTER_GONE_RETRY_NANOS);

        ticker.advance(Duration.ofMillis(50));
        settle();
        assertThat(session.tries).as("tried again, with no notice").isEqualTo(tries + 1);

        ticker.advance(Duration.ofSeconds(1));
        settle();
        int after = session.tries;
        ticker.advance(Duration.ofMillis(50));
        settle();
        assertThat(session.tries).as("the window is over: only events and the safety net").isEqualTo(after);
    }

    @Test
    void aStrictTermLetGoDuringItsHoldIsAnnouncedUnclean() {
        // FINDINGS.md 1: no end of the last term was heard, so the term waits L + m; a step-down during that wait
        // must not tell a strict node that nothing runs (the predecessor it waits out may)
        HighlanderSettings strictSettings = HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(10))
                .heartbeat(Duration.ofSeconds(2)).standbyInterval(Duration.ofHours(1))
                .takeover(HighlanderSettings.Takeover.STRICT).build();
        ScriptedSession strictSession = new ScriptedSession();
        NodeLoop strictLoop = new NodeLoop(strictSettings, new OneSession(strictSession), ticker, () -> SELF);
        strictLoop.watchWith(new CountingWatcher());
        ScriptedInstances held = new ScriptedInstances();
        Election strictElection = new Election("ticker", null, strictSettings, null, strictLoop, e -> held,
                (task, delay) -> { }, ticker);
        strictSession.free.add(strictElection.key().key());
        settle(strictLoop);
        assertThat(strictElection.state().term().lock().holdBeforeStartNanos()).isPositive();

        strictElection.stepDown(Duration.ZERO);
        settle(strictLoop);
        held.stopped.get(0).complete(null);
        settle(strictLoop);

        assertThat(strictSession.unlocked).containsExactly(
                new Notice.Released(ns, strictElection.key().key(), 1, false));
    }

    @Test
    void locksTakenBeyondTheShareAreLetGoUncleanWhileTheirStrictHoldRuns() {
        // FINDINGS.md 1, seed 238: a balanced node over its share lets the excess go at once, before any hold ran
        HighlanderSettings balanced = HighlanderSettings.builder().nodeId("a").lease(Duration.ofSeconds(10))
                .heartbeat(Duration.ofSeconds(2)).standbyInterval(Duration.ofHours(1))
                .takeover(HighlanderSettings.Takeover.STRICT).placement(HighlanderSettings.Placement.BALANCED).build();
        ScriptedSession twoFree = new ScriptedSession();
        NodeLoop balancedLoop = new NodeLoop(balanced, new OneSession(twoFree), ticker, () -> SELF);
        balancedLoop.watchWith(new CountingWatcher());
        ScriptedInstances any = new ScriptedInstances();
        Election first = new Election("s0", null, balanced, null, balancedLoop, e -> any, (task, delay) -> { }, ticker);
        Election second = new Election("s1", null, balanced, null, balancedLoop, e -> any, (task, delay) -> { },
                ticker);
        twoFree.free.add(first.key().key());
        twoFree.free.add(second.key().key());

        settle(balancedLoop); // two live nodes, two singletons: a share of one

        assertThat(twoFree.unlocked).hasSize(1);
        assertThat(twoFree.unlocked.get(0).clean()).as("let go before its hold ran out").isFalse();
    }

    @Test
    void oneTermsExpiredLeaseDoesNotAbortTheSessionUnderAnotherTermsValidLease() {
        // FINDINGS.md 5: term 1's lease ran out while a statement was in flight; its answer began term 2 on a fresh
        // lease (an expired lease is not revived). Aborting the session for term 1 would free term 2's lock too.
        Election other = new Election("other", null, settings, null, loop, e -> instances, (task, delay) -> { },
                ticker);
        session.free.add(election.key().key());
        settle();
        Term expiring = election.state().term();
        ticker.advance(settings.lease()); // the watchdog (a no-op here) has not run yet
        session.free.add(other.key().key());
        session.nextToken = 6; // above every token heard (5): a later grab's token is, as the server's is
        loop.post(new LoopEvent.Heard(new Notice.Heard(new Notice.Released(ns, other.key().key(), 5, true),
                OTHER_PID)));
        settle();
        Term valid = other.state().term();
        assertThat(valid.lease().isValid()).isTrue();

        election.endTerm(expiring, LossReason.LEASE_EXPIRED, null); // as the watchdog does, then at s + L:
        election.letGo(expiring, true);
        settle();

        assertThat(session.ended()).as("the session, and with it the other term's lock").isFalse();
        assertThat(valid.lock().isLetGo()).isFalse();
        assertThat(session.unlocked).containsExactly(new Notice.Released(ns, election.key().key(), 1, false));
    }

    @Test
    void aTickerThatReadsNegativeDoesNotKeepItFromConnecting() {
        // FINDINGS.md 2: System.nanoTime may be negative; a reconnect deadline that starts at 0 lies in its future
        long negative = -java.time.Duration.ofDays(365).toNanos();
        ScriptedSession early = new ScriptedSession();
        NodeLoop behind = new NodeLoop(settings, new OneSession(early), () -> negative, () -> SELF);
        behind.watchWith(new CountingWatcher());
        new Election("ticker", null, settings, null, behind, e -> new ScriptedInstances(), (task, delay) -> { },
                () -> negative);

        behind.step();

        assertThat(behind.sessionOpen()).isTrue();
    }

    @Test
    void balancedSheddingOrdersTermsByTheTickerAcrossItsOverflowAndBreaksTiesByTokenThenKey() {
        // FINDINGS.md 3: the order was the wall clock's (Term.began), which an NTP step reorders
        NodeLoop.Held first = loop.new Held(session, LockKey.of(ns, "s0"), 7, 0);
        ticker.advance(Duration.ofMinutes(2)); // past Long.MAX_VALUE: the later reading is the lower long
        NodeLoop.Held later = loop.new Held(session, LockKey.of(ns, "s1"), 8, 0);
        NodeLoop.Held sameGrant = loop.new Held(session, LockKey.of(ns, "s2"), 8, 0);

        List<NodeLoop.Held> order = new ArrayList<>(List.of(first, later, sameGrant));
        order.sort(NodeLoop.LATEST_GRANTED_FIRST);

        NodeLoop.Held higherKey = LockKey.of(ns, "s1").key() > LockKey.of(ns, "s2").key() ? later : sameGrant;
        NodeLoop.Held lowerKey = higherKey == later ? sameGrant : later;
        assertThat(order).containsExactly(higherKey, lowerKey, first);
    }

    /** Steps until the loop waits; returns what it said. */
    private NodeLoop.Step settle() {
        return settle(loop);
    }

    private NodeLoop.Step settle(NodeLoop loop) {
        for (int i = 0; i < 100; i++) {
            NodeLoop.Step step = loop.step();
            if (step.done() || step.until() - ticker.getAsLong() > 0 && !loop.hasEvents()) {
                return step;
            }
        }
        throw new AssertionError("the loop does not settle");
    }

    private final class ScriptedSession implements NodeStatements {
        final Set<Integer> free = new HashSet<>();
        /** Keys whose companion lock a fenced transaction holds (the grab reports them busy). */
        final Set<Integer> companionBusy = new HashSet<>();
        final Set<Integer> companionsAsked = new HashSet<>();
        final List<Notice.Released> unlocked = new ArrayList<>();
        final List<LiveNode> live = new ArrayList<>(List.of(new LiveNode(SELF, 1001), new LiveNode(OTHER, OTHER_PID)));
        int statements;
        int scans;
        int tries;
        boolean ended;
        long nextToken = 1;
        ClusterIdentity cluster = new ClusterIdentity("sim/db", OptionalLong.empty(), 1);

        @Override
        public ServerInfo server() {
            return new ServerInfo(150000, "sim/db", 1001);
        }

        @Override
        public ClusterIdentity cluster() {
            return cluster;
        }

        @Override
        public boolean takeLiveness(int namespace, int random) {
            statements++;
            return true;
        }

        @Override
        public boolean listen() {
            statements++;
            return true;
        }

        @Override
        public boolean canAwaitNotices() {
            return true;
        }

        @Override
        public List<Notice.Heard> awaitNotices(int millis) {
            return List.of();
        }

        @Override
        public void heartbeat(Duration timeout) {
            statements++;
        }

        @Override
        public Grab tryAcquireAll(int namespace, int companions, Collection<Integer> keys, Duration timeout) {
            statements++;
            tries++;
            companionsAsked.add(companions);
            Set<Integer> taken = new HashSet<>(keys);
            taken.retainAll(free);
            free.removeAll(taken);
            Set<Integer> busy = new HashSet<>(taken);
            busy.retainAll(companionBusy);
            return new Grab(Set.copyOf(taken), taken.isEmpty() ? -1 : nextToken, Set.copyOf(busy));
        }

        @Override
        public boolean unlock(LockKey key, Notice.Released notice, Duration timeout) {
            statements++;
            unlocked.add(notice);
            return true;
        }

        @Override
        public Map<Integer, LockHolder> holdersOf(int namespace, Collection<Integer> keys) {
            statements++;
            return Map.of();
        }

        @Override
        public List<LiveNode> liveNodes(int namespace) {
            statements++;
            scans++;
            return List.copyOf(live);
        }

        @Override
        public void notify(Notice notice) {
            statements++;
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public void release() {
            ended = true;
        }

        @Override
        public void abandon() {
            ended = true;
        }
    }

    private static final class OneSession implements Sessions {
        private final NodeStatements session;

        OneSession(NodeStatements session) {
            this.session = session;
        }

        @Override
        public NodeStatements openNode(String label) {
            return session;
        }

        @Override
        public WatcherStatements openWatcher(String label) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String description() {
            return "scripted";
        }
    }

    private static final class CountingWatcher implements NodeLoop.Watching {
        int retargets;
        int watched;

        @Override
        public int watched() {
            return watched;
        }

        @Override
        public void start() {
        }

        @Override
        public void retarget() {
            retargets++;
        }

        @Override
        public boolean connected() {
            return true;
        }
    }
}
