package io.highlander.cdi.internal.election;

import static io.highlander.cdi.internal.election.FakeTicker.ms;
import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.lock.Notice;
import org.junit.jupiter.api.Test;

class StrictTakeoverTest {

    private static final int NS = 7;
    private static final long HOLD = ms(3300);
    private final StrictTakeover strict = new StrictTakeover(HOLD);

    @Test
    void waitsOutTheLeaseWhenItHeardNoEndOfTheLastTerm() {
        assertThat(strict.holdBeforeStart(1)).isEqualTo(HOLD);
        strict.heard(new Notice.Acquired(NS, 1, 100));
        assertThat(strict.holdBeforeStart(1)).as("a term began and was not heard to end").isEqualTo(HOLD);
    }

    @Test
    void startsAtOnceAfterACleanReleaseEvenOfATermItDidNotSeeBegin() {
        strict.heard(new Notice.Released(NS, 1, 100, true));
        assertThat(strict.holdBeforeStart(1)).isZero();
        strict.heard(new Notice.Acquired(NS, 1, 100));
        assertThat(strict.holdBeforeStart(1)).as("its own begin, heard late, changes nothing").isZero();
    }

    @Test
    void waitsAfterAnAbandonedTermAnOverrunStop() {
        strict.heard(new Notice.Acquired(NS, 1, 100));
        strict.heard(new Notice.Released(NS, 1, 100, false));
        assertThat(strict.holdBeforeStart(1)).isEqualTo(HOLD);
    }

    @Test
    void waitsWhenALaterTermBeganThanTheOneHeardToEndCleanly() {
        // an unlock takes effect before its commit, so the next holder's 'acquired' can be queued before it
        strict.heard(new Notice.Acquired(NS, 1, 200));
        strict.heard(new Notice.Released(NS, 1, 100, true));
        assertThat(strict.holdBeforeStart(1)).isEqualTo(HOLD);
    }

    @Test
    void anUnattributedReleaseVouchesForNothingAndAnUnattributedBeginCounts() {
        strict.heard(new Notice.Released(NS, 1, 100, true));
        strict.heardUnattributed(new Notice.Released(NS, 1, 150, true));
        assertThat(strict.holdBeforeStart(1)).isEqualTo(HOLD);

        strict.heard(new Notice.Released(NS, 2, 100, true));
        strict.heardUnattributed(new Notice.Acquired(NS, 2, 300));
        assertThat(strict.holdBeforeStart(2)).isEqualTo(HOLD);
    }

    @Test
    void aNewSessionForgetsWhatItHeard() {
        strict.heard(new Notice.Released(NS, 1, 100, true));
        strict.reset();
        assertThat(strict.holdBeforeStart(1)).isEqualTo(HOLD);
    }

    @Test
    void keysAreJudgedApart() {
        strict.heard(new Notice.Released(NS, 1, 100, true));
        assertThat(strict.holdBeforeStart(2)).isEqualTo(HOLD);
    }
}
