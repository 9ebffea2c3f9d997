package io.highlander.cdi.internal.election;

import static io.highlander.cdi.internal.election.FakeTicker.ms;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CourtesyTest {

    private static final int OWN_SESSION = 17;
    private final FakeTicker ticker = new FakeTicker();
    private final Courtesy courtesy = new Courtesy(ms(1000));

    @Test
    void aLockLostWithTheSessionIsLeftToTheOthersUntilTheCourtesyEnds() {
        courtesy.lost(5, OWN_SESSION, ticker.getAsLong());

        ticker.advance(Duration.ofMillis(999));
        assertThat(courtesy.expire(ticker.getAsLong())).isFalse();
        assertThat(courtesy.leftToOthers(5)).isTrue();
        assertThat(courtesy.leftToOthers(6)).as("a key it did not hold").isFalse();

        ticker.advance(Duration.ofMillis(1));
        assertThat(courtesy.expire(ticker.getAsLong())).as("its turn now: try at once").isTrue();
        assertThat(courtesy.leftToOthers(5)).isFalse();
    }

    @Test
    void theNextWakeIsTheEndOfTheCourtesyIfThatComesFirst() {
        long now = ticker.getAsLong();
        courtesy.lost(5, OWN_SESSION, now);
        assertThat(courtesy.earliest(now + ms(5000))).isEqualTo(now + ms(1000));
        assertThat(courtesy.earliest(now + ms(10))).isEqualTo(now + ms(10));
    }

    @Test
    void endsWhenAnotherNodesTermEnds() {
        courtesy.lost(5, OWN_SESSION, ticker.getAsLong());
        courtesy.othersTermEnded();
        assertThat(courtesy.leftToOthers(5)).isFalse();
    }

    @Test
    void endsWhenAnotherNodesSessionIsGoneButNotForTheNewsOfItsOwnEndedSession() {
        courtesy.lost(5, OWN_SESSION, ticker.getAsLong());

        courtesy.gone(OWN_SESSION);
        assertThat(courtesy.leftToOthers(5)).as("its own end is the others' turn, not theirs ending").isTrue();

        courtesy.gone(99);
        assertThat(courtesy.leftToOthers(5)).isFalse();
    }

    @Test
    void aCourtesyOfZeroLeavesNothingToTheOthers() {
        Courtesy none = new Courtesy(0);
        none.lost(5, OWN_SESSION, ticker.getAsLong());
        assertThat(none.expire(ticker.getAsLong())).isTrue();
        assertThat(none.leftToOthers(5)).isFalse();
    }
}
