package io.highlander.cdi.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The invariant checker on hand-made histories: each promise is caught when broken and quiet when kept. */
class SimInvariantsTest {

    private static final long MS = 1_000_000L;

    private final VirtualScheduler time = new VirtualScheduler(1);
    private final SimHistory history = new SimHistory(time);

    private final SimInvariants fast = new SimInvariants(false, 50 * MS, 1000 * MS, 20 * MS, 3000 * MS, 100 * MS, Set.of("s"));
    private final SimInvariants strict = new SimInvariants(true, 50 * MS, 1000 * MS, 20 * MS, 3000 * MS, 100 * MS, Set.of("s"));

    private void at(long ms) {
        time.runUntil(ms * MS);
    }

    private void bothAble() {
        history.able("a", true);
        history.able("b", true);
    }

    @Test
    void twoInstancesAtOnceOnTwoAbleNodesBreakTheFirstPromiseInBothModes() {
        bothAble();
        history.started("s", "a", 1);
        at(100);
        history.started("s", "b", 2);
        at(101);
        history.stopped("s", "a");
        at(200);

        assertThat(fast.check(history, 200 * MS)).singleElement().asString().startsWith("two instances of s for 1.000ms");
        assertThat(strict.check(history, 200 * MS)).hasSize(1);
    }

    @Test
    void fastModeExcusesTheOldHoldersShortOverlapAfterTheServerEndedItsSessionStrictModeDoesNot() {
        bothAble();
        history.started("s", "a", 1);
        at(100);
        history.serverEndedSession("a");
        at(101);
        history.started("s", "b", 2);
        at(140);
        history.stopped("s", "a");
        at(200);

        assertThat(fast.check(history, 200 * MS)).isEmpty();
        assertThat(strict.check(history, 200 * MS)).hasSize(1);
    }

    @Test
    void fastModeExcusesAPartitionedOldHolderUntilItsLeaseCouldEnd() {
        bothAble();
        history.started("s", "a", 1);
        history.cut("a", true);
        at(100);
        history.serverEndedSession("a");
        at(300);
        history.started("s", "b", 2);
        at(900);
        history.stopped("s", "a");
        assertThat(fast.check(history, 1000 * MS)).isEmpty();
        assertThat(strict.check(history, 1000 * MS)).hasSize(1);
    }

    @Test
    void anOverlapLongerThanTheAllowanceIsCaughtInFastModeToo() {
        bothAble();
        history.started("s", "a", 1);
        at(100);
        history.serverEndedSession("a");
        history.started("s", "b", 2);
        at(180);
        history.stopped("s", "a");

        assertThat(fast.check(history, 200 * MS)).singleElement().asString().contains("for 30.000ms from 150.000ms");
    }

    @Test
    void aFrozenNodesInstanceDoesNotCountUntilItsThawAllowanceIsOver() {
        bothAble();
        history.started("s", "a", 1);
        at(100);
        history.able("a", false);
        at(1000);
        history.started("s", "b", 2);
        at(5000);
        history.able("a", true);
        at(5010);
        history.stopped("s", "a");
        assertThat(strict.check(history, 6000 * MS)).isEmpty();

        at(5030);
        assertThat(strict.check(history, 6000 * MS)).isEmpty(); // a stopped at 5010, inside the allowance
    }

    @Test
    void aStopThatOverrunsTheMarginCountsAsEndedAtTheMargin() {
        bothAble();
        history.started("s", "a", 1);
        at(100);
        history.stopping("s", "a");
        at(250);
        history.started("s", "b", 2);
        at(3000);
        history.stopped("s", "a");
        assertThat(strict.check(history, 4000 * MS)).isEmpty();

        SimHistory early = new SimHistory(new VirtualScheduler(1));
        early.able("a", true);
        early.able("b", true);
        early.started("s", "a", 1);
        early.stopping("s", "a");
        early.started("s", "b", 2);
        assertThat(strict.check(early, 4000 * MS)).singleElement().asString().contains("for 100.000ms");
    }

    @Test
    void aTokenThatDoesNotIncreaseIsCaught() {
        bothAble();
        history.started("s", "a", 5);
        at(10);
        history.stopped("s", "a");
        history.started("s", "b", 5);

        assertThat(strict.check(history, 20 * MS)).singleElement().asString().startsWith("token did not increase");
    }

    @Test
    void fastModeExcusesAnOlderTermStartedAtTheThawOfANodeWhoseSessionTheServerEndedWhileItWasFrozen() {
        bothAble();
        at(20);
        history.able("b", false); // frozen right after it won with 702, its instance's start still queued
        at(80);
        history.serverEndedSession("b"); // a restart: b's locks are free, b does not know yet
        at(400);
        history.started("s", "a", 703);
        at(700);
        history.able("b", true);
        history.started("s", "b", 702); // the queued start runs first at the thaw
        at(710);
        history.stopped("s", "b"); // then b reads the end of its session
        at(800);
        history.stopped("s", "a");
        history.started("s", "b", 704);

        assertThat(fast.check(history, 900 * MS)).isEmpty();
        assertThat(strict.check(history, 900 * MS)).anySatisfy(line -> assertThat(line)
                .startsWith("token did not increase"));
    }

    @Test
    void anOlderTermStartedAtAThawWithoutAServerEndIsCaughtInFastModeToo() {
        bothAble();
        at(20);
        history.able("b", false);
        at(400);
        history.started("s", "a", 703);
        at(700);
        history.able("b", true);
        history.started("s", "b", 702);

        assertThat(fast.check(history, 800 * MS)).anySatisfy(line -> assertThat(line)
                .startsWith("token did not increase"));
    }

    @Test
    void aSingletonUnledLongerThanTheBoundWithNoFaultIsCaughtButAFaultRestartsTheCount() {
        bothAble();
        history.started("s", "a", 1);
        at(1000);
        history.stopped("s", "a");
        at(3500);
        history.fault("kill a");
        at(6000);
        history.started("s", "b", 2);

        assertThat(strict.check(history, 7000 * MS)).isEmpty(); // 2.5 s, then 2.5 s: each under the bound

        SimHistory quiet = new SimHistory(new VirtualScheduler(1));
        quiet.able("b", true);
        assertThat(strict.check(quiet, 7000 * MS)).singleElement().asString()
                .startsWith("s unled for 7000.000ms from 0.000ms");
    }

    @Test
    void nobodyAbleToLeadIsNotALivenessFailure() {
        history.able("a", false);
        assertThat(strict.check(history, 10_000 * MS)).isEmpty();
    }

    @Test
    void uncoveredFindsTheLongestHole() {
        long[] hole = SimInvariants.uncovered(0, 100, List.of(new long[] {10, 20}, new long[] {15, 60},
                new long[] {70, 90}));
        assertThat(hole).containsExactly(0, 10);
        assertThat(SimInvariants.uncovered(0, 100, List.of(new long[] {-5, 200}))).isNull();
    }
}
