package io.highlander.cdi.internal.election;

import static io.highlander.cdi.internal.election.FakeTicker.ms;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private final FakeTicker ticker = new FakeTicker();
    private final long opened = ticker.getAsLong();
    /** h = 2 s, L/2 = 5 s, standby interval 30 s. */
    private final Schedule schedule = new Schedule(ms(2000), ms(5000), ms(30_000), opened);

    @Test
    void aSessionWithATermHeartbeatsEveryHAndOneWithoutEveryHalfLease() {
        ticker.advance(Duration.ofMillis(2000));
        assertThat(schedule.heartbeatDue(ticker.getAsLong(), true)).isTrue();
        assertThat(schedule.heartbeatDue(ticker.getAsLong(), false)).isFalse();
        ticker.advance(Duration.ofMillis(3000));
        assertThat(schedule.heartbeatDue(ticker.getAsLong(), false)).isTrue();
    }

    @Test
    void anyAcknowledgedStatementPutsTheHeartbeatOff() {
        ticker.advance(Duration.ofMillis(1500));
        schedule.sent(ticker.getAsLong());
        ticker.advance(Duration.ofMillis(1999));
        assertThat(schedule.heartbeatDue(ticker.getAsLong(), true)).isFalse();
        assertThat(schedule.lastSent()).isEqualTo(opened + ms(1500));
    }

    @Test
    void theSafetyNetTriesAndCountsEveryStandbyInterval() {
        ticker.advance(Duration.ofSeconds(29));
        assertThat(schedule.tryDue(ticker.getAsLong())).isFalse();
        assertThat(schedule.countDue(ticker.getAsLong())).isFalse();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(schedule.tryDue(ticker.getAsLong())).isTrue();
        schedule.tried(ticker.getAsLong());
        assertThat(schedule.tryDue(ticker.getAsLong())).isFalse();
        assertThat(schedule.countDue(ticker.getAsLong())).isTrue();
    }

    @Test
    void theNextDueTimeIsTheEarliestOfWhatApplies() {
        assertThat(schedule.nextDue(true, true, true)).isEqualTo(opened + ms(2000));
        assertThat(schedule.nextDue(false, false, false)).isEqualTo(opened + ms(5000));
        schedule.sent(opened + ms(29_000));
        assertThat(schedule.nextDue(false, true, false)).as("the safety net's try").isEqualTo(opened + ms(30_000));
        assertThat(schedule.nextDue(false, false, false)).isEqualTo(opened + ms(34_000));
    }
}
