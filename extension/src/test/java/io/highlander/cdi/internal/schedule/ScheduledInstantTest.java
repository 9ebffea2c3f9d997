package io.highlander.cdi.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScheduledInstantTest {

    @Test
    void aFiringNamesTheStartOfItsPeriod() {
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T10:00:00.300Z"), Duration.ofHours(1)))
                .isEqualTo(new ScheduledInstant("j", Instant.parse("2026-12-07T10:00:00Z")));
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T10:59:59.999Z"), Duration.ofHours(1)).instant())
                .isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
    }

    @Test
    void aFiringOnTheBoundaryBelongsToThePeriodItBegins() {
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T11:00:00Z"), Duration.ofHours(1)).instant())
                .isEqualTo(Instant.parse("2026-12-07T11:00:00Z"));
    }

    @Test
    void periodsOfLessThanASecondAndOfNoWholeSecondsAreExact() {
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T10:00:00.749Z"), Duration.ofMillis(250))
                .instant()).isEqualTo(Instant.parse("2026-12-07T10:00:00.500Z"));
        assertThat(ScheduledInstant.of("j", Instant.ofEpochSecond(3, 100), Duration.ofMillis(1500)).instant())
                .isEqualTo(Instant.ofEpochMilli(3000));
    }

    @Test
    void instantsBeforeTheEpochAreCountedDownward() {
        assertThat(ScheduledInstant.of("j", Instant.ofEpochMilli(-1), Duration.ofSeconds(10)).instant())
                .isEqualTo(Instant.ofEpochSecond(-10));
        assertThat(ScheduledInstant.of("j", Instant.ofEpochMilli(-1), Duration.ofMillis(300)).instant())
                .isEqualTo(Instant.ofEpochMilli(-300));
    }

    @Test
    void aPeriodMustBePositive() {
        assertThatThrownBy(() -> ScheduledInstant.of("j", Instant.EPOCH, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
