package io.highlander.cdi.internal.election;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A clock the test moves by hand, starting near the overflow so that every comparison must subtract. */
final class FakeTicker implements LongSupplier {

    private long now = Long.MAX_VALUE - Duration.ofMinutes(1).toNanos();

    @Override
    public long getAsLong() {
        return now;
    }

    FakeTicker advance(Duration by) {
        now += by.toNanos();
        return this;
    }

    static long ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }
}
