package io.highlander.cdi.internal.election;

import static io.highlander.cdi.internal.election.FakeTicker.ms;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FairShareTest {

    private final FairShare fair = new FairShare();

    @Test
    void theSharesAddUpToTheElectionsTheFirstNodesTakingTheRemainder() {
        assertThat(List.of(FairShare.shareOf(10, 3, 0), FairShare.shareOf(10, 3, 1), FairShare.shareOf(10, 3, 2)))
                .containsExactly(4, 3, 3);
        assertThat(FairShare.shareOf(2, 3, 2)).isZero();
        assertThat(FairShare.shareOf(5, 1, 0)).isEqualTo(5);
    }

    @Test
    void aNodeRanksItselfByItsLivenessKeyAndCountsItselfIfTheScanMissedIt() {
        assertThat(fair.count(List.of(10L, 30L), 20, 10)).as("first count").isTrue();
        assertThat(fair.nodes()).isEqualTo(3);
        assertThat(fair.share()).as("rank 1 of 3: ⌊10/3⌋").isEqualTo(3);
        assertThat(fair.count(List.of(10L, 20L, 30L), 20, 10)).as("the same count again").isFalse();
    }

    @Test
    void livenessKeysCompareUnsigned() {
        fair.count(List.of(1L, Integer.toUnsignedLong(-1)), -1, 3); // -1 is the highest key, so the last rank
        assertThat(fair.share()).isEqualTo(1);
    }

    @Test
    void aSkippedKeyIsTakenOnlyAfterItWentUnclaimedAtEveryLookForTheGrace() {
        long t0 = 1000;
        assertThat(fair.looked(Set.of(1, 2), Set.of(2), t0, ms(100))).isEmpty();
        assertThat(fair.looked(Set.of(1, 2), Set.of(2), t0 + ms(99), ms(100))).isEmpty();
        assertThat(fair.looked(Set.of(1, 2), Set.of(2), t0 + ms(100), ms(100))).containsExactly(1);
    }

    @Test
    void aKeyFoundHeldStartsItsGraceAgain() {
        long t0 = 1000;
        fair.looked(Set.of(1), Set.of(), t0, ms(100));
        fair.looked(Set.of(1), Set.of(1), t0 + ms(50), ms(100));
        assertThat(fair.looked(Set.of(1), Set.of(), t0 + ms(120), ms(100))).isEmpty();
        assertThat(fair.looked(Set.of(1), Set.of(), t0 + ms(220), ms(100))).containsExactly(1);
    }

    @Test
    void aKeyTriedOrANewSessionForgetsItsGrace() {
        fair.looked(Set.of(1), Set.of(), 0, ms(100));
        fair.tried(Set.of(1));
        assertThat(fair.looked(Set.of(1), Set.of(), ms(100), ms(100))).isEmpty();
        fair.reset();
        assertThat(fair.nodes()).isZero();
        assertThat(fair.share()).isZero();
    }
}
