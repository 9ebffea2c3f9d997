package io.highlander.cdi.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.sim.LockTable.Level;
import io.highlander.cdi.internal.sim.Step.Setting;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated server against the behaviour measured on real PostgreSQL (PG-SEMANTICS.md, section in each name). */
class SimPostgresTest {

    private static final long MS = 1_000_000L;
    private static final AdvisoryKey K = AdvisoryKey.ofPair(7, 1);
    private static final AdvisoryKey K2 = AdvisoryKey.ofPair(7, 2);

    private final VirtualScheduler scheduler = new VirtualScheduler(42);
    private final SimPostgres server = new SimPostgres(scheduler);

    /** A client that records what its session sends it, with the virtual time. */
    final class Probe implements ClientEnd {
        final List<String> events = new ArrayList<>();
        final List<Object> lastValues = new ArrayList<>();
        final Backend backend = server.connect(this);
        SqlError lastError;
        long endedAt = -1;
        SqlError endedWith;

        @Override
        public void notification(Notification n) {
            events.add("notice " + n.payload() + " from " + (n.senderPid() == backend.pid() ? "self" : n.senderPid()));
        }

        @Override
        public void result(List<Object> values, SqlError error) {
            lastError = error;
            lastValues.clear();
            if (values != null) {
                lastValues.addAll(values);
            }
            events.add(error == null ? "result " + values : "error " + error.sqlState());
        }

        @Override
        public void terminated(SqlError why) {
            endedAt = scheduler.now();
            endedWith = why;
            events.add("ended " + why.sqlState());
        }

        Probe run(Step... steps) {
            backend.submit(List.of(steps));
            settle();
            return this;
        }

        Object value(int i) {
            return lastValues.get(i);
        }
    }

    private void settle() {
        scheduler.runUntil(scheduler.now()); // whatever is due at this instant (grants, exits' first steps)
    }

    private void advanceMs(long ms) {
        scheduler.runUntil(scheduler.now() + ms * MS);
    }

    private static Step lock(AdvisoryKey key) {
        return new Step.Lock(key, LockMode.EXCLUSIVE, Level.SESSION);
    }

    private static Step tryLock(AdvisoryKey key) {
        return new Step.TryLock(key, LockMode.EXCLUSIVE, Level.SESSION);
    }

    private static Step unlock(AdvisoryKey key) {
        return new Step.Unlock(key, LockMode.EXCLUSIVE);
    }

    private static Step notify(String payload) {
        return new Step.Notify("highlander", payload);
    }

    private static final Step LISTEN = new Step.Listen("highlander");

    @Test
    void aHeldLockIsRefusedToOthersGrantedAgainToItsHolderAndFreedOnlyByTheLastUnlock() {
        Probe a = new Probe().run(lock(K), tryLock(K));
        Probe b = new Probe().run(tryLock(K));
        assertThat(a.lastValues).containsExactly(true, true);
        assertThat(b.value(0)).isEqualTo(false);

        a.run(unlock(K));
        assertThat(b.run(tryLock(K)).value(0)).isEqualTo(false); // one count left
        a.run(unlock(K), unlock(K));
        assertThat(a.lastValues).containsExactly(true, false); // the second: "you don't own a lock"
        assertThat(b.run(tryLock(K)).value(0)).isEqualTo(true);
    }

    @Test
    void aBlockedWaiterIsGrantedAtTheUnlockAndShowsInPgLocksAsWaitingBefore() {
        Probe a = new Probe().run(lock(K));
        Probe b = new Probe().run(lock(K));
        assertThat(b.events).isEmpty();
        assertThat(server.catalog().advisoryLocks()).contains(new LockTable.Row(K, b.backend.pid(),
                LockMode.EXCLUSIVE, false));

        a.run(unlock(K));
        assertThat(b.events).containsExactly("result [true]");
        assertThat(server.catalog().holders(K)).containsOnlyKeys(b.backend.pid());
    }

    @Test
    void aSharedRequestQueuesBehindAWaitingExclusiveOneEvenWhileOnlySharedHoldersHoldTheTag() {
        Probe a = new Probe().run(new Step.Lock(K, LockMode.SHARED, Level.SESSION));
        Probe b = new Probe().run(lock(K)); // waits for a
        Probe c = new Probe().run(new Step.TryLock(K, LockMode.SHARED, Level.SESSION));
        assertThat(c.value(0)).isEqualTo(false);
        c.run(new Step.Lock(K, LockMode.SHARED, Level.SESSION));
        assertThat(c.events).containsExactly("result [false]");

        a.run(new Step.Unlock(K, LockMode.SHARED));
        assertThat(b.events).containsExactly("result [true]");
        assertThat(c.events).containsExactly("result [false]"); // still behind b's exclusive hold

        b.run(unlock(K));
        assertThat(c.events).containsExactly("result [false]", "result [true]");
    }

    @Test
    void lockTimeoutCancelsTheWaitWith55P03AndRollsBackTheStatementsNotify() {
        Probe listener = new Probe().run(LISTEN);
        Probe a = new Probe().run(lock(K));
        Probe b = new Probe().run(new Step.Set(Setting.LOCK_TIMEOUT, 100 * MS));
        b.run(notify("before"), lock(K));
        advanceMs(99);
        assertThat(b.events).containsExactly("result [null]");
        advanceMs(1);
        assertThat(b.lastError).isEqualTo(SqlError.LOCK_TIMEOUT);
        assertThat(server.catalog().advisoryLocks()).extracting(LockTable.Row::pid).containsOnly(a.backend.pid());
        assertThat(listener.events).containsExactly("result [null]"); // no "before": it was rolled back
    }

    @Test
    void aCancelAfterTheGrantRollsBackTheNotifyButTheSessionLockStaysHeld() {
        Probe listener = new Probe().run(LISTEN);
        Probe holder = new Probe().run(new Step.Lock(K, LockMode.EXCLUSIVE, Level.SESSION));
        // the watcher's statement: wait in shared mode, then (slowly) unlock and tell
        Probe watcher = new Probe().run(new Step.Lock(K, LockMode.SHARED, Level.SESSION), new Step.Sleep(10 * MS),
                new Step.Unlock(K, LockMode.SHARED), notify("gone"));
        holder.run(unlock(K));
        advanceMs(1);
        watcher.backend.cancel(); // between the grant and the unlock
        settle();

        assertThat(watcher.lastError).isEqualTo(SqlError.CANCELED);
        assertThat(server.catalog().holders(K)).containsOnlyKeys(watcher.backend.pid()); // the sticky grant
        assertThat(listener.events).doesNotContain("notice gone from " + watcher.backend.pid());
        assertThat(new Probe().run(tryLock(K)).value(0)).isEqualTo(false);
    }

    @Test
    void aCancelWhileIdleDoesNothing() {
        Probe a = new Probe().run(lock(K));
        a.backend.cancel();
        settle();
        assertThat(a.events).containsExactly("result [true]");
    }

    @Test
    void noticesGoAtCommitOnlyToSessionsListeningThenInCommitOrderWithTheSendersPid() {
        Probe early = new Probe().run(LISTEN);
        Probe sender = new Probe().run(notify("one"));
        Probe late = new Probe().run(LISTEN);
        sender.run(notify("two"), notify("two"), notify("three")); // one "two": same payload in one transaction

        assertThat(early.events).containsExactly("result [null]", "notice one from " + sender.backend.pid(),
                "notice two from " + sender.backend.pid(), "notice three from " + sender.backend.pid());
        assertThat(late.events).containsExactly("result [null]", "notice two from " + sender.backend.pid(),
                "notice three from " + sender.backend.pid());
    }

    @Test
    void aListenerHearsItsOwnNoticesAndThoseThatCameWhileItsStatementRanBeforeItsResult() {
        Probe a = new Probe().run(LISTEN);
        Probe holder = new Probe().run(lock(K));
        a.run(lock(K)); // waits
        Probe other = new Probe().run(notify("meanwhile"));
        assertThat(a.events).containsExactly("result [null]");
        holder.run(unlock(K));
        a.run(notify("mine"));
        assertThat(a.events).containsExactly("result [null]", "notice meanwhile from " + other.backend.pid(),
                "result [true]", "notice mine from self", "result [null]");
    }

    @Test
    void noticesAreNotDeliveredInsideATransactionAndAreLostWhenTheReceiverEnds() {
        Probe a = new Probe().run(LISTEN).run(new Step.Begin());
        Probe sender = new Probe().run(notify("x"));
        assertThat(a.events).containsExactly("result [null]", "result [null]");
        a.backend.clientClosed();
        settle();
        a.events.clear();
        advanceMs(10);
        assertThat(a.events).isEmpty();
        assertThat(sender.lastError).isNull();
    }

    @Test
    void aListenerStuckInATransactionFillsTheClusterQueueAndThenEveryNotifyFailsAtCommit() {
        server.notifyQueueCapacity(3);
        new Probe().run(LISTEN).run(new Step.Begin()); // stuck: reads nothing until it commits
        Probe sender = new Probe().run(lock(K));
        sender.run(notify("1"), notify("2"));
        assertThat(server.notificationQueueUsage()).isEqualTo(2.0 / 3);
        sender.run(notify("3"));
        sender.run(new Step.Unlock(K, LockMode.EXCLUSIVE), notify("4"));

        assertThat(sender.lastError).isEqualTo(SqlError.QUEUE_FULL);
        assertThat(server.catalog().holders(K)).isEmpty(); // the unlock in the failed statement stays done
        assertThat(server.notificationQueueUsage()).isEqualTo(1.0);
    }

    @Test
    void idleSessionTimeoutEndsAnIdleSessionFromTheEndOfItsLastStatementWhateverNoticesItGets() {
        Probe a = new Probe().run(new Step.Set(Setting.IDLE_SESSION_TIMEOUT, 1000 * MS), LISTEN, lock(K));
        Probe waiter = new Probe().run(lock(K));
        Probe sender = new Probe();
        for (int i = 0; i < 3; i++) {
            advanceMs(300);
            sender.run(notify("n" + i));
        }
        assertThat(a.endedAt).isEqualTo(-1);
        advanceMs(100);
        assertThat(a.endedAt).isEqualTo(1000 * MS);
        assertThat(a.endedWith).isEqualTo(SqlError.IDLE_SESSION);
        advanceMs(1); // its exit frees the lock within microseconds
        assertThat(waiter.events).containsExactly("result [true]");
        assertThat(a.backend.alive()).isFalse();
    }

    @Test
    void idleSessionTimeoutDoesNotFireInsideATransactionButTheIdleInTransactionTimeoutDoes() {
        Probe a = new Probe().run(new Step.Set(Setting.IDLE_SESSION_TIMEOUT, 100 * MS), new Step.Begin(), lock(K));
        advanceMs(500);
        assertThat(a.backend.alive()).isTrue();
        a.run(new Step.Set(Setting.IDLE_IN_TRANSACTION_SESSION_TIMEOUT, 200 * MS));
        advanceMs(200);
        assertThat(a.endedWith).isEqualTo(SqlError.IDLE_IN_TRANSACTION);
        assertThat(a.endedAt).isEqualTo(700 * MS);
    }

    @Test
    void pgTerminateBackendEndsTheSessionWith57P01AndFreesItsLocks() {
        Probe a = new Probe().run(lock(K));
        Probe admin = new Probe().run(new Step.Terminate(a.backend.pid()), new Step.Terminate(99));
        advanceMs(1);
        assertThat(admin.lastValues).containsExactly(true, false);
        assertThat(a.endedWith).isEqualTo(SqlError.ADMIN);
        assertThat(server.catalog().holders(K)).isEmpty();
    }

    @Test
    void aBackendsExitFreesItsLocksOneAfterTheOtherSoAWaiterCanRunBeforeTheRestIsFree() {
        int seen = 0;
        for (long seed = 0; seed < 20; seed++) {
            VirtualScheduler s = new VirtualScheduler(seed);
            SimPostgres pg = new SimPostgres(s);
            Recording dying = new Recording();
            Backend holder = pg.connect(dying);
            holder.submit(List.of(lock(K), lock(K2)));
            Recording waiting = new Recording();
            Backend waiter = pg.connect(waiting);
            AdvisoryKey first = pg.locks().heldBy(holder.pid()).get(0);
            AdvisoryKey second = first.equals(K) ? K2 : K;
            // like the node session's try after a 'gone': take the first, read who holds the second
            waiter.submit(List.of(lock(first), new Step.Read(c -> c.holders(second).keySet())));
            holder.exit(SqlError.ADMIN);
            s.runUntil(MS);
            assertThat(waiting.values).hasSize(2);
            if (waiting.values.get(1).equals(java.util.Set.of(holder.pid()))) {
                seen++;
            }
            assertThat(pg.catalog().holders(second)).isEmpty();
        }
        assertThat(seen).isEqualTo(20); // the waiter runs in the gap between the two releases, every time here
    }

    @Test
    void aClientGoneWhileWaitingStaysQueuedIsGrantedAndThenExitsUnlessTheConnectionCheckFindsItFirst() {
        Probe holder = new Probe().run(lock(K));
        Probe ghost = new Probe().run(lock(K));
        ghost.backend.clientClosed();
        advanceMs(3000);
        assertThat(server.catalog().advisoryLocks()).extracting(LockTable.Row::pid).contains(ghost.backend.pid());
        Probe live = new Probe().run(lock(K));
        holder.run(unlock(K));
        advanceMs(1);
        assertThat(live.events).containsExactly("result [true]"); // the ghost was granted, could not answer, left

        Probe checked = new Probe().run(new Step.Set(Setting.CLIENT_CONNECTION_CHECK_INTERVAL, 200 * MS), lock(K));
        checked.backend.clientClosed();
        advanceMs(199);
        assertThat(checked.backend.alive()).isTrue();
        advanceMs(1);
        assertThat(checked.backend.alive()).isFalse();
    }

    @Test
    void aRestartEndsEverySessionFreesEveryLockRefusesConnectionsWhileDownAndKeepsTokensIncreasing() {
        Probe a = new Probe().run(lock(K), new Step.CurrentXactId());
        long before = (Long) a.value(1);
        Probe waiter = new Probe().run(lock(K));
        server.restart(false, 200 * MS);
        settle();
        assertThat(a.endedWith).isEqualTo(SqlError.ADMIN);
        assertThat(waiter.endedWith).isEqualTo(SqlError.ADMIN);
        assertThat(waiter.events).containsExactly("ended 57P01"); // nobody was granted on the way down
        assertThat(server.catalog().advisoryLocks()).isEmpty();
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(Probe::new, SimSqlException.class).error())
                .isEqualTo(SqlError.STARTING);

        advanceMs(200);
        Probe after = new Probe().run(lock(K), new Step.CurrentXactId());
        assertThat((Long) after.value(1)).isGreaterThan(before);

        server.restart(true, 0);
        settle();
        assertThat(after.endedWith).isEqualTo(SqlError.EOF);
    }

    @Test
    void pgLocksEncodesBigintAndPairTagsAsMeasured() {
        assertThat(AdvisoryKey.ofBigint(0x1234567890L)).isEqualTo(new AdvisoryKey(18, 878082192, 1));
        assertThat(AdvisoryKey.ofBigint(-2)).isEqualTo(new AdvisoryKey(4294967295L, 4294967294L, 1));
        assertThat(AdvisoryKey.ofPair(-5, 7)).isEqualTo(new AdvisoryKey(4294967291L, 7, 2));
        assertThat(AdvisoryKey.ofBigint(7L << 32 | 1)).isNotEqualTo(AdvisoryKey.ofPair(7, 1));
    }

    @Test
    void aTransactionLevelLockIsDroppedAtCommitAndAtRollbackButASessionLockIsNot() {
        Probe a = new Probe().run(new Step.Lock(K, LockMode.EXCLUSIVE, Level.TRANSACTION), lock(K2));
        assertThat(server.catalog().holders(K)).isEmpty();
        assertThat(server.catalog().holders(K2)).containsOnlyKeys(a.backend.pid());
    }

    @Test
    void aCutLinkWithTcpUserTimeoutEndsTheSessionThatLongAfterItsFirstUnacknowledgedNotice() {
        SimProcess node = new SimProcess(scheduler, "a");
        SimLink link = new SimLink(scheduler, server, node, 100_000, 100_000);
        Recording client = new Recording();
        link.open(client, pid -> { }, e -> { });
        advanceMs(1);
        link.send(List.of(new Step.Set(Setting.TCP_USER_TIMEOUT, 3000 * MS), LISTEN, lock(K)));
        advanceMs(1);
        link.cut();
        advanceMs(500);
        Probe sender = new Probe().run(notify("unsolicited"));
        advanceMs(2999);
        assertThat(server.catalog().holders(K)).isNotEmpty();
        advanceMs(2);
        assertThat(server.catalog().holders(K)).isEmpty(); // at 500 + 3000 ms, not 2 + 3000 ms after any request
        assertThat(sender.lastError).isNull();
        link.heal();
        advanceMs(1);
        assertThat(client.ended).isEqualTo(SqlError.EOF);
    }

    /** A bare client that keeps the last values and how its session ended. */
    static final class Recording implements ClientEnd {
        List<Object> values = List.of();
        SqlError ended;

        @Override
        public void notification(Notification notification) {
        }

        @Override
        public void result(List<Object> v, SqlError error) {
            values = v == null ? List.of() : new ArrayList<>(v);
        }

        @Override
        public void terminated(SqlError why) {
            ended = why;
        }
    }
}
