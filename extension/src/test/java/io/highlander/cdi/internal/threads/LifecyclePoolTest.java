package io.highlander.cdi.internal.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node's lifecycle pool (issue 22): one singleton's tasks never overlap and keep their order, its thread says
 * which singleton runs, a hung task does not hold the others up, and a burst of many singletons runs on at most
 * {@link LifecyclePool#BUSY} threads. What happened is recorded by the tasks and asserted on the record.
 */
class LifecyclePoolTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final LifecycleThreads threads = LifecycleThreads.forApplication();
    private final LifecyclePool pool = new LifecyclePool(threads, timer);
    private final CountDownLatch hung = new CountDownLatch(1);

    @AfterEach
    void stop() {
        hung.countDown();
        pool.shutdown();
        timer.shutdownNow();
    }

    @Test
    void aLanesTasksRunOneAfterAnotherInOrderUnderTheSingletonsName() {
        LifecyclePool.Lane lane = pool.lane("ticker");
        List<String> record = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inside = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            int n = i;
            lane.execute(() -> {
                int overlapping = inside.incrementAndGet();
                record.add(n + " " + Thread.currentThread().getName() + " " + overlapping);
                inside.decrementAndGet();
            });
        }

        assertThat(lane.closeAndAwait(PATIENCE.toMillis())).isTrue();
        assertThat(record).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(record.get(i)).isEqualTo(i + " highlander-ticker-lifecycle 1");
        }
        assertThatThrownBy(() -> lane.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void aBurstOfManySingletonsRunsOnAtMostBusyThreadsAndEachLaneStaysSerial() {
        int singletons = 200;
        Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
        Map<String, Boolean> overlapped = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(singletons * 3);
        List<LifecyclePool.Lane> lanes = new ArrayList<>();
        AtomicInteger most = new AtomicInteger();
        for (int s = 0; s < singletons; s++) {
            String name = "s" + s;
            LifecyclePool.Lane lane = pool.lane(name);
            lanes.add(lane);
            for (int task = 0; task < 3; task++) {
                lane.execute(() -> {
                    if (inside.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlapped.put(name, true);
                    }
                    most.accumulateAndGet(pool.threads(), Math::max);
                    inside.get(name).decrementAndGet();
                    done.countDown();
                });
            }
        }

        await().atMost(PATIENCE).until(() -> done.getCount() == 0);
        assertThat(overlapped).as("lanes whose tasks overlapped").isEmpty();
        assertThat(most.get()).as("the pool's threads during the burst").isLessThanOrEqualTo(LifecyclePool.BUSY);
        await().atMost(PATIENCE).until(() -> pool.threads() <= LifecyclePool.WARM); // the spare ones end
    }

    @Test
    void hungTasksOfSomeSingletonsDoNotHoldTheOthersUp() {
        for (int s = 0; s < LifecyclePool.BUSY + 1; s++) { // more hung than there are places
            pool.lane("hung" + s).execute(this::hang);
        }
        CountDownLatch others = new CountDownLatch(10);
        for (int s = 0; s < 10; s++) {
            pool.lane("other" + s).execute(others::countDown);
        }

        await().atMost(PATIENCE).until(() -> others.getCount() == 0);
        assertThat(pool.threads()).as("one thread per hung task, and the others' place")
                .isBetween(LifecyclePool.BUSY + 2, 2 * LifecyclePool.BUSY + 1);
    }

    @Test
    void anUrgentTaskRunsAtOnceEvenWhenEveryPlaceIsTaken() {
        for (int s = 0; s < LifecyclePool.BUSY; s++) {
            pool.lane("hung" + s).execute(this::hang);
        }
        CountDownLatch aborted = new CountDownLatch(1);
        List<String> name = Collections.synchronizedList(new ArrayList<>());

        pool.urgent("ticker").execute(() -> {
            name.add(Thread.currentThread().getName());
            aborted.countDown();
        });

        // within the stuck bound: it did not wait for a hung task to count as stuck
        await().atMost(Duration.ofNanos(LifecyclePool.STUCK_NANOS)).until(() -> aborted.getCount() == 0);
        assertThat(name).containsExactly("highlander-ticker-abort");
    }

    @Test
    void aTakeoverAfterABurstGoesToAParkedThreadAndStartsNone() {
        CountDownLatch warmedUp = new CountDownLatch(20);
        for (int s = 0; s < 20; s++) {
            pool.lane("w" + s).execute(warmedUp::countDown);
        }
        await().atMost(PATIENCE).until(() -> warmedUp.getCount() == 0 && pool.threads() <= LifecyclePool.WARM);
        int parked = pool.threads();
        List<String> ran = Collections.synchronizedList(new ArrayList<>());

        pool.lane("ticker").execute(() -> ran.add(Thread.currentThread().getName()));

        await().atMost(PATIENCE).until(() -> ran.size() == 1);
        assertThat(parked).isPositive();
        assertThat(pool.threads()).as("threads after the takeover's task").isEqualTo(parked);
        assertThat(ran).containsExactly("highlander-ticker-lifecycle");
    }

    private void hang() {
        try {
            hung.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
