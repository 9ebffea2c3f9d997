package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.lock.LiveNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatcherLoopTest {

    private static List<LiveNode> live(int... keys) {
        return java.util.Arrays.stream(keys).mapToObj(k -> new LiveNode(k, 1000 + k)).toList();
    }

    @Test
    void eachNodeWatchesTheNextInTheRingWrappingAround() {
        List<LiveNode> ring = live(10, 20, 30);
        assertThat(WatcherLoop.next(ring, 10)).isEqualTo(20);
        assertThat(WatcherLoop.next(ring, 20)).isEqualTo(30);
        assertThat(WatcherLoop.next(ring, 30)).isEqualTo(10);
    }

    @Test
    void aNodeAloneWatchesNobody() {
        assertThat(WatcherLoop.next(live(10), 10)).isZero();
        assertThat(WatcherLoop.next(live(), 10)).isZero();
    }

    @Test
    void aNodeWithoutSessionOrMissingFromTheScanStillFindsTheNext() {
        assertThat(WatcherLoop.next(live(10, 30), 20)).isEqualTo(30);
        assertThat(WatcherLoop.next(live(10, 30), 0)).isEqualTo(10);
    }

    @Test
    void theRingIsOrderedUnsigned() {
        assertThat(WatcherLoop.next(live(-1, 5), 5)).as("-1 is the highest unsigned key").isEqualTo(-1);
        assertThat(WatcherLoop.next(live(-1, 5), -1)).isEqualTo(5);
    }
}
