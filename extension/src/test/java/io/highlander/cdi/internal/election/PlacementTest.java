package io.highlander.cdi.internal.election;

import static io.highlander.cdi.internal.election.FakeTicker.ms;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {

    @Test
    void firstComeTriesEverythingAndCountsNobody() {
        Placement firstCome = new Placement(false, ms(100));
        assertThat(firstCome.room(50)).isEqualTo(Integer.MAX_VALUE);
        assertThat(firstCome.balanced()).isFalse();
        assertThat(firstCome.nodes()).isZero();
    }

    @Test
    void balancedLeavesRoomUpToTheShare() {
        Placement balanced = new Placement(true, ms(100));
        balanced.counted(List.of(10L, 20L), 10, 4);
        assertThat(balanced.share()).isEqualTo(2);
        assertThat(balanced.room(0)).isEqualTo(2);
        assertThat(balanced.room(2)).isZero();
        assertThat(balanced.room(3)).as("over its share").isNegative();
    }

    @Test
    void aNodeWithoutRoomTakesWhatNobodyHeldForTheGrace() {
        Placement balanced = new Placement(true, ms(100));
        assertThat(balanced.looked(Set.of(1, 2), Set.of(1), 0)).isEmpty();
        assertThat(balanced.looked(Set.of(1, 2), Set.of(1), ms(100))).containsExactly(2);
    }
}
