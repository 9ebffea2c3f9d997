package io.highlander.cdi.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Driven by a ticker that moves one step on each reading, so no test waits on the wall clock. */
class MisfireWaitTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void aNodeThatLeadsDoesNotWait() {
        assertThat(MisfireWait.untilLeading(() -> true, Duration.ZERO, now::get)).isTrue();
    }

    @Test
    void itReturnsOnceTheNodeLeadsWithinTheGrace() {
        AtomicLong asked = new AtomicLong();
        assertThat(MisfireWait.untilLeading(() -> asked.incrementAndGet() > 3, Duration.ofSeconds(30),
                () -> now.addAndGet(1_000_000))).isTrue();
        assertThat(asked).hasValue(4);
    }

    @Test
    void itGivesUpWhenTheGraceRunsOut() {
        assertThat(MisfireWait.untilLeading(() -> false, Duration.ofMillis(20), () -> now.addAndGet(10_000_000)))
                .isFalse();
    }

    @Test
    void anInterruptedFiringGivesUpAndKeepsItsFlag() {
        Thread.currentThread().interrupt();
        try {
            assertThat(MisfireWait.untilLeading(() -> false, Duration.ofSeconds(30), now::get)).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
