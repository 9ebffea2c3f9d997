package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.lock.ClusterIdentity;
import io.highlander.cdi.internal.lock.LiveNode;
import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.OtherServerException;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.testing.LogRecorder;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class WatcherLoopTest {

    private static List<LiveNode> live(int... keys) {
        return java.util.Arrays.stream(keys).mapToObj(k -> new LiveNode(k, 1000 + k)).toList();
    }

    @Test
    void eachNodeWatchesTheNextInTheRingWrappingAround() {
        List<LiveNode> ring = live(10, 20, 30);
        assertThat(WatcherLoop.next(ring, 10)).isEqualTo(20);
        assertThat(WatcherLoop.next(ring, 20)).isEqualTo(30);
        assertThat(WatcherLoop.next(ring, 30)).isEqualTo(10);
    }

    @Test
    void aNodeAloneWatchesNobody() {
        assertThat(WatcherLoop.next(live(10), 10)).isZero();
        assertThat(WatcherLoop.next(live(), 10)).isZero();
    }

    @Test
    void aNodeWithoutSessionOrMissingFromTheScanStillFindsTheNext() {
        assertThat(WatcherLoop.next(live(10, 30), 20)).isEqualTo(30);
        assertThat(WatcherLoop.next(live(10, 30), 0)).isEqualTo(10);
    }

    @Test
    void theRingIsOrderedUnsigned() {
        assertThat(WatcherLoop.next(live(-1, 5), 5)).as("-1 is the highest unsigned key").isEqualTo(-1);
        assertThat(WatcherLoop.next(live(-1, 5), -1)).isEqualTo(5);
    }

    @Test
    void aNodeJoiningOrLeavingAHundredNodeRingMovesOneWatchersTargetOnly() {
        java.util.Random random = new java.util.Random(22);
        List<Integer> keys = new ArrayList<>();
        while (keys.size() < 100) {
            int key = random.nextInt();
            if (key != 0 && !keys.contains(key)) {
                keys.add(key);
            }
        }
        List<LiveNode> before = keys.stream().map(k -> new LiveNode(k, 1)).toList();
        List<LiveNode> joined = new ArrayList<>(before);
        joined.add(new LiveNode(12345, 2));
        List<LiveNode> left = before.subList(1, before.size());

        int movedByJoin = 0;
        int movedByLeave = 0;
        for (int self : keys) {
            int watching = WatcherLoop.next(before, self);
            movedByJoin += WatcherLoop.targetMoved(joined, self, watching) ? 1 : 0;
            if (self != keys.get(0)) {
                movedByLeave += WatcherLoop.targetMoved(left, self, watching) ? 1 : 0;
            }
        }

        assertThat(movedByJoin).as("watchers retargeted by a join (rule W5; before, all 100)").isEqualTo(1);
        assertThat(movedByLeave).as("watchers retargeted by a leave: the leaver's predecessor").isEqualTo(1);
    }

    @Test
    void aWatcherThatWatchesNobodyIsRetargetedWhenASecondNodeComes() {
        assertThat(WatcherLoop.targetMoved(live(10), 10, 0)).isFalse();
        assertThat(WatcherLoop.targetMoved(live(10, 20), 10, 0)).isTrue();
        assertThat(WatcherLoop.targetMoved(live(10, 20), 10, 20)).isFalse();
    }

    // ---- the loop, stepped by hand (as a simulation does) ----

    private final FakeTicker ticker = new FakeTicker();
    private final HighlanderSettings settings = HighlanderSettings.builder().nodeId("a")
            .watcherWait(Duration.ofSeconds(30)).build();
    private final ScriptedWatcher statements = new ScriptedWatcher();
    private final Sessions sessions = new WatcherOnlySessions(statements);
    private final NodeLoop node = new NodeLoop(settings, sessions, ticker, () -> 1);
    private final WatcherLoop watcher = new WatcherLoop(settings, sessions, node, ticker);

    @Test
    void beforeItIsStartedItWatchesNobody() {
        assertThat(watcher.step()).isInstanceOf(WatcherLoop.Park.class);
        assertThat(watcher.connected()).isFalse();
    }

    @Test
    void itWaitsForTheNextNodeAndTellsItsNodeWhenThatNodeIsGone() {
        statements.live = live(0, 20); // its own node has no session yet (liveness 0): it watches 20
        watcher.start();
        WatcherLoop.Action action = watcher.step();

        assertThat(action).isEqualTo(new WatcherLoop.AwaitGone(statements, new Notice.Gone(settings.namespace(), 20)));
        watcher.waitEnded((WatcherLoop.AwaitGone) action, true);
        assertThat(node.hasEvents()).as("the node loop is told").isTrue();
    }

    @Test
    void aWakeIsSentBeforeAnythingElseAndACancelledWaitIsNoFailure() {
        statements.live = live(20);
        watcher.start();
        WatcherLoop.AwaitGone wait = (WatcherLoop.AwaitGone) watcher.step();

        watcher.wake(); // the driver cancels the wait
        assertThat(watcher.waitFailed(wait, new SQLException("cancelled", "57014")))
                .isInstanceOf(WatcherLoop.Park.class);
        assertThat(watcher.step()).isInstanceOf(WatcherLoop.Park.class);
        assertThat(statements.sent).containsExactly(new Notice.Wake(settings.namespace(), 0));
        assertThat(watcher.connected()).isTrue();
    }

    @Test
    void aLostSessionIsOpenedAgainAfterABackoff() {
        statements.live = live(20);
        watcher.start();
        WatcherLoop.AwaitGone wait = (WatcherLoop.AwaitGone) watcher.step();

        WatcherLoop.Action next = watcher.waitFailed(wait, new SQLException("terminated", "57P01"));

        assertThat(watcher.connected()).isFalse();
        assertThat(((WatcherLoop.Park) next).until() - ticker.getAsLong()).isPositive();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(watcher.step()).isInstanceOf(WatcherLoop.AwaitGone.class);
    }

    @Test
    void aTickerThatReadsNegativeDoesNotKeepItFromConnecting() {
        // FINDINGS.md 2: System.nanoTime may be negative; a reconnect deadline that starts at 0 lies in its future
        long negative = -Duration.ofDays(365).toNanos();
        NodeLoop behind = new NodeLoop(settings, sessions, () -> negative, () -> 1);
        WatcherLoop early = new WatcherLoop(settings, sessions, behind, () -> negative);
        statements.live = live(20);
        early.start();

        assertThat(early.step()).isInstanceOf(WatcherLoop.AwaitGone.class);
        assertThat(early.connected()).isTrue();
    }

    @Test
    void aWatcherOnAnotherServerThanItsNodeSessionIsSaidAtWarningOncePerChangeNotAtEveryRetry() {
        ClusterIdentity node = new ClusterIdentity("10.0.0.1:5432/app", OptionalLong.of(1), 1);
        List<ClusterIdentity> reached = new ArrayList<>(List.of(new ClusterIdentity("10.0.0.2:5432/app",
                OptionalLong.of(2), 1)));
        Sessions split = new Sessions() {
            @Override
            public NodeStatements openNode(String label) {
                throw new UnsupportedOperationException("a watcher test opens no node session");
            }

            @Override
            public WatcherStatements openWatcher(String label) throws SQLException {
                throw new OtherServerException(label, reached.get(0), node);
            }

            @Override
            public String description() {
                return "a split database";
            }
        };
        WatcherLoop onSplit = new WatcherLoop(settings, split, node(), ticker);
        try (LogRecorder log = LogRecorder.of(Election.class.getName())) {
            onSplit.start();
            for (int attempt = 0; attempt < 3; attempt++) {
                assertThat(onSplit.step()).isInstanceOf(WatcherLoop.Park.class);
                ticker.advance(Duration.ofSeconds(2)); // past the back-off
            }
            reached.set(0, new ClusterIdentity("10.0.0.3:5432/app", OptionalLong.of(3), 1));
            assertThat(onSplit.step()).isInstanceOf(WatcherLoop.Park.class);

            assertThat(log.records()).extracting(record -> record.getLevel().getName(), record -> record.getMessage()
                    .substring(0, 8)).containsExactly(org.assertj.core.groups.Tuple.tuple("WARNING", "HL-0351:"),
                    org.assertj.core.groups.Tuple.tuple("WARNING", "HL-0351:"));
        }
    }

    private NodeLoop node() {
        return node;
    }

    @Test
    void closedItReleasesItsSessionAndIsDone() {
        statements.live = live(20);
        watcher.start();
        watcher.step();
        watcher.close();
        assertThat(watcher.step()).isInstanceOf(WatcherLoop.Done.class);
        assertThat(statements.released).isTrue();
    }

    private static final class ScriptedWatcher implements WatcherStatements {
        List<LiveNode> live = List.of();
        final List<Notice> sent = new ArrayList<>();
        boolean released;

        @Override
        public List<LiveNode> liveNodes(int namespace) {
            return live;
        }

        @Override
        public boolean awaitGone(Notice.Gone gone) {
            throw new AssertionError("the driver waits, not the loop");
        }

        @Override
        public void notify(Notice notice) {
            sent.add(notice);
        }

        @Override
        public void cancel() {
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
