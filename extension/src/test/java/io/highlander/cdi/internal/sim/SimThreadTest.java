package io.highlander.cdi.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Blocking code in lock step with the scheduler: virtual time, freezes and kills reach it. */
class SimThreadTest {

    private static final long MS = 1_000_000L;

    private final VirtualScheduler scheduler = new VirtualScheduler(3);
    private final List<String> seen = new ArrayList<>();

    private SimThread[] holder = new SimThread[2];

    private static void sleep(SimThread self, SimProcess process, long ms) {
        self.<Void>await(done -> process.after(ms * MS, () -> done.accept(null)));
    }

    @Test
    void blockingCallsContinueAtTheVirtualTimeOfTheirReplyOneThreadAtATime() {
        SimProcess a = new SimProcess(scheduler, "a");
        SimProcess b = new SimProcess(scheduler, "b");
        holder[0] = SimThread.start(a, "a", self -> {
            for (int i = 0; i < 3; i++) {
                sleep(self, a, 10);
                seen.add("a " + scheduler.now() / MS);
            }
        });
        holder[1] = SimThread.start(b, "b", self -> {
            for (int i = 0; i < 2; i++) {
                sleep(self, b, 16);
                seen.add("b " + scheduler.now() / MS);
            }
        });
        scheduler.runUntil(100 * MS);

        assertThat(seen).containsExactly("a 10", "b 16", "a 20", "a 30", "b 32");
        assertThat(holder[0].finished()).isTrue();
    }

    @Test
    void actionsDueAtTheSameInstantRunInAnOrderTheSeedChoosesTheSameEachTime() {
        java.util.Set<List<String>> orders = new java.util.HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            List<String> first = tie(seed);
            assertThat(tie(seed)).isEqualTo(first);
            orders.add(first);
        }
        assertThat(orders).hasSize(2);
    }

    private static List<String> tie(long seed) {
        VirtualScheduler s = new VirtualScheduler(seed);
        List<String> order = new ArrayList<>();
        s.after(5, () -> order.add("x"));
        s.after(5, () -> order.add("y"));
        s.runUntil(10);
        return order;
    }

    @Test
    void aFrozenProcessContinuesOnlyAtItsThawAndAKilledOneNever() {
        SimProcess a = new SimProcess(scheduler, "a");
        holder[0] = SimThread.start(a, "a", self -> {
            sleep(self, a, 10);
            seen.add("woke " + scheduler.now() / MS);
            sleep(self, a, 10);
            seen.add("never");
        });
        scheduler.runUntil(1);
        a.freeze();
        scheduler.runUntil(50 * MS);
        assertThat(seen).isEmpty();
        a.thaw();
        scheduler.runUntil(50 * MS);
        assertThat(seen).containsExactly("woke 50");
        a.kill(true);
        holder[0].kill();
        scheduler.runUntil(100 * MS);
        assertThat(seen).containsExactly("woke 50");
        assertThat(holder[0].finished()).isTrue();
    }

    @Test
    void aFailureInTheBodySurfacesOnTheSchedulersThread() {
        SimProcess a = new SimProcess(scheduler, "a");
        SimThread.start(a, "a", self -> {
            throw new IllegalArgumentException("boom");
        });
        assertThatThrownBy(() -> scheduler.runUntil(1)).hasRootCauseMessage("boom");
    }
}
