package io.highlander.cdi.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.LossReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the tally counts from the leadership events, on a clock the test sets. */
class LeadershipTallyTest {

    private static final Instant GRANTED = Instant.parse("2026-12-07T19:00:00Z");

    private final List<Duration> takeovers = new ArrayList<>();

    @Test
    void aRestartWithinATermIsNoNewTermAndNoNewTakeover() {
        LeadershipTally tally = tallyAt(GRANTED.plusMillis(40));
        tally.onTakeover((singleton, duration) -> takeovers.add(duration));

        tally.acquired(new LeadershipAcquired("report", "a", 7, GRANTED));
        tally.acquired(new LeadershipAcquired("report", "a", 7, GRANTED)); // a supervised restart

        assertThat(tally.termsBegun("report")).isEqualTo(1);
        assertThat(takeovers).containsExactly(Duration.ofMillis(40));
        assertThat(tally.termStart("report")).contains(GRANTED);
    }

    @Test
    void aLostTermIsCountedByItsReasonAndEndsTheTerm() {
        LeadershipTally tally = tallyAt(GRANTED);
        tally.acquired(new LeadershipAcquired("report", "a", 7, GRANTED));
        tally.lost(new LeadershipLost("report", "a", 7, LossReason.LEASE_EXPIRED, GRANTED.plusSeconds(5)));
        tally.acquired(new LeadershipAcquired("report", "a", 9, GRANTED.plusSeconds(6)));
        tally.lost(new LeadershipLost("report", "a", 9, LossReason.STEPPED_DOWN, GRANTED.plusSeconds(8)));

        assertThat(tally.termsBegun("report")).isEqualTo(2);
        assertThat(tally.termsLost("report", LossReason.LEASE_EXPIRED)).isEqualTo(1);
        assertThat(tally.termsLost("report", LossReason.STEPPED_DOWN)).isEqualTo(1);
        assertThat(tally.termsLost("report", LossReason.SHUTDOWN)).isZero();
        assertThat(tally.termStart("report")).isEmpty();
        assertThat(tally.termsBegun("other")).as("singletons count apart").isZero();
    }

    @Test
    void takeoversBeforeTheMetersWerePublishedAreToldToEachListenerAddedLater() {
        LeadershipTally tally = tallyAt(GRANTED.plusMillis(25));
        List<Duration> later = new ArrayList<>();

        tally.acquired(new LeadershipAcquired("report", "a", 7, GRANTED));
        tally.onTakeover((singleton, duration) -> takeovers.add(duration));
        tally.onTakeover((singleton, duration) -> later.add(duration));
        tally.acquired(new LeadershipAcquired("report", "a", 8, GRANTED));

        assertThat(takeovers).containsExactly(Duration.ofMillis(25), Duration.ofMillis(25));
        assertThat(later).containsExactly(Duration.ofMillis(25), Duration.ofMillis(25));
    }

    @Test
    void aListenerAddedAfterAnotherStillSeesTheTakeoverThatCameInBetween() {
        LeadershipTally tally = tallyAt(GRANTED.plusMillis(25));
        List<Duration> later = new ArrayList<>();

        tally.onTakeover((singleton, duration) -> takeovers.add(duration)); // Micrometer's, say
        tally.acquired(new LeadershipAcquired("report", "a", 7, GRANTED));
        tally.onTakeover((singleton, duration) -> later.add(duration)); // then OpenTelemetry's

        assertThat(takeovers).containsExactly(Duration.ofMillis(25));
        assertThat(later).containsExactly(Duration.ofMillis(25));
    }

    @Test
    void aClockThatStepsBackMakesNoNegativeTakeover() {
        LeadershipTally tally = tallyAt(GRANTED.minusSeconds(1));
        tally.onTakeover((singleton, duration) -> takeovers.add(duration));

        tally.acquired(new LeadershipAcquired("report", "a", 7, GRANTED));

        assertThat(takeovers).containsExactly(Duration.ZERO);
    }

    private static LeadershipTally tallyAt(Instant now) {
        return new LeadershipTally(Clock.fixed(now, ZoneOffset.UTC));
    }
}
