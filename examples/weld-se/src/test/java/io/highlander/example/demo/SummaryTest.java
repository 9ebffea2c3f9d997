package io.highlander.example.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.example.demo.Failover.Fault;
import io.highlander.example.demo.NodeEvent.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static NodeEvent tick(long micros, String node, long token) {
        return new NodeEvent(micros, node, Kind.TICK, token, "");
    }

    @Test
    void instancesThatFollowEachOtherRunOneAtATime() {
        Summary summary = Summary.of(List.of(), List.of(
                tick(100, "a", 7), tick(200, "a", 7),
                tick(300, "b", 8), tick(400, "b", 8)));

        assertThat(summary.maxAtOnce()).isEqualTo(1);
        assertThat(summary.instances()).extracting(Summary.Instance::token).containsExactly(7L, 8L);
        assertThat(summary.tokensIncrease()).isTrue();
    }

    @Test
    void aStaleLeaderTickingAfterTheNextOneStartedCountsAsTwoAtOnce() {
        Summary summary = Summary.of(List.of(), List.of(
                tick(100, "a", 7), tick(300, "b", 8), tick(350, "a", 7), tick(400, "b", 8)));

        assertThat(summary.maxAtOnce()).isEqualTo(2);
        assertThat(summary.passed()).isFalse();
    }

    @Test
    void instancesThatTouchAtOneInstantOverlap() {
        assertThat(Summary.of(List.of(), List.of(tick(100, "a", 7), tick(200, "a", 7), tick(200, "b", 8)))
                .maxAtOnce()).isEqualTo(2);
    }

    @Test
    void aFailoverThatDidNotHappenFailsTheRun() {
        Failover missing = new Failover(Fault.KILL, "a", 7, 100, null, -1, -1, -1, false);
        Summary summary = Summary.of(List.of(missing), List.of(tick(50, "a", 7)));

        assertThat(summary.passed()).isFalse();
        assertThat(summary.table()).anyMatch(line -> line.contains("failovers: 0 of 1"));
    }

    @Test
    void aOneNodeClusterExpectsARestartNotMilliseconds() {
        Failover restart = new Failover(Fault.STOP, "a", 7, 100, "a", 8, 1_800_000, 1_830_000, true);
        Summary summary = Summary.of(List.of(restart), List.of(tick(50, "a", 7), tick(1_900_000, "a", 8)));

        assertThat(summary.table()).filteredOn(line -> line.contains("graceful stop"))
                .singleElement().asString()
                .contains("a JVM start: nobody waited, the only node is restarted").doesNotContain("milliseconds");
    }

    @Test
    void refusedTicksAreCountedButDoNotRun() {
        Summary summary = Summary.of(List.of(), List.of(tick(100, "a", 7), tick(300, "b", 8),
                new NodeEvent(350, "a", Kind.REFUSED, 7, "")));

        assertThat(summary.maxAtOnce()).isEqualTo(1);
        assertThat(summary.refusedTicks()).isEqualTo(1);
    }
}
