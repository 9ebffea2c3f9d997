package io.highlander.cdi.internal.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * The identity of one scheduled instant of a job: the start of the period (of length {@code every}, counted from
 * the epoch) that the firing falls in, the firing taken {@linkplain #EARLY a tenth of a period} later than it came.
 * So a firing up to a tenth of a period early (a timer a few milliseconds early, a fixed-rate executor whose
 * {@code nanoTime} period drifted from the wall clock) or up to nine tenths late (a timer's delay, a node whose clock is
 * behind and so fires later) names the same instant on every node. Pure.
 *
 * @param job     the job's name
 * @param instant the start of the period
 */
public record ScheduledInstant(String job, Instant instant) {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** How early, as a fraction of the period (1/EARLY), a firing may come and still name its instant. */
    static final int EARLY = 10;

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
        firing = firing.plusNanos(periodNanos / EARLY);
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
