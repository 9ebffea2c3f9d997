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
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T10:53:59.999Z"), Duration.ofHours(1)).instant())
                .as("up to nine tenths of a period late").isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
    }

    @Test
    void aFiringALittleEarlyNamesTheInstantItIsFor() {
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T09:59:59.998Z"), Duration.ofSeconds(1)).instant())
                .isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T09:54:00.001Z"), Duration.ofHours(1)).instant())
                .as("up to a tenth of a period early").isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T09:53:59.999Z"), Duration.ofHours(1)).instant())
                .as("earlier still: the previous instant").isEqualTo(Instant.parse("2026-12-07T09:00:00Z"));
    }

    @Test
    void aScheduleOffsetWithinItsPeriodNamesOneInstantWhetherItsFiringIsEarlyOrLate() {
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T10:29:59.990Z"), Duration.ofHours(1)))
                .isEqualTo(ScheduledInstant.of("j", Instant.parse("2026-12-07T10:30:00.300Z"), Duration.ofHours(1)));
    }

    @Test
    void aFiringOnTheBoundaryBelongsToThePeriodItBegins() {
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T11:00:00Z"), Duration.ofHours(1)).instant())
                .isEqualTo(Instant.parse("2026-12-07T11:00:00Z"));
    }

    @Test
    void periodsOfLessThanASecondAndOfNoWholeSecondsAreExact() {
        assertThat(ScheduledInstant.of("j", Instant.parse("2026-12-07T10:00:00.720Z"), Duration.ofMillis(250))
                .instant()).isEqualTo(Instant.parse("2026-12-07T10:00:00.500Z"));
        assertThat(ScheduledInstant.of("j", Instant.ofEpochSecond(3, 100), Duration.ofMillis(1500)).instant())
                .isEqualTo(Instant.ofEpochMilli(3000));
    }

    @Test
    void instantsBeforeTheEpochAreCountedDownward() {
        assertThat(ScheduledInstant.of("j", Instant.ofEpochSecond(-2), Duration.ofSeconds(10)).instant())
                .isEqualTo(Instant.ofEpochSecond(-10));
        assertThat(ScheduledInstant.of("j", Instant.ofEpochMilli(-100), Duration.ofMillis(300)).instant())
                .isEqualTo(Instant.ofEpochMilli(-300));
    }

    @Test
    void aPeriodMustBePositive() {
        assertThatThrownBy(() -> ScheduledInstant.of("j", Instant.EPOCH, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
