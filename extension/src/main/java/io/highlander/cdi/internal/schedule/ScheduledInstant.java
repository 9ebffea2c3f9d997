package io.highlander.cdi.internal.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * The identity of one scheduled instant of a job: the start of the period (of length {@code every}, counted from
 * the epoch) that a firing falls in. It depends on when the firing came only within its period, so a firing a
 * little late, or from a node whose clock is behind, names the same instant as the first. Pure.
 *
 * @param job     the job's name
 * @param instant the start of the period
 */
public record ScheduledInstant(String job, Instant instant) {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * @param job    the job's name
     * @param firing when the firing came, or the scheduled time it was given
     * @param every  the schedule's period, positive
     * @return the instant the firing belongs to
     */
    public static ScheduledInstant of(String job, Instant firing, Duration every) {
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("every must be positive: " + every);
        }
        long periodNanos = every.toNanos();
        if (periodNanos % NANOS_PER_SECOND == 0) { // whole seconds: the fraction of a second cannot change the period
            long periodSeconds = periodNanos / NANOS_PER_SECOND;
            return new ScheduledInstant(job,
                    Instant.ofEpochSecond(Math.floorDiv(firing.getEpochSecond(), periodSeconds) * periodSeconds));
        }
        // in nanoseconds since the epoch: exact for any instant before 2262
        long epochNanos = Math.addExact(Math.multiplyExact(firing.getEpochSecond(), NANOS_PER_SECOND),
                firing.getNano());
        long start = Math.floorDiv(epochNanos, periodNanos) * periodNanos;
        return new ScheduledInstant(job, Instant.ofEpochSecond(Math.floorDiv(start, NANOS_PER_SECOND),
                Math.floorMod(start, NANOS_PER_SECOND)));
    }

    @Override
    public String toString() {
        return job + "@" + instant;
    }
}
