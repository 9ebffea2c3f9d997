package io.highlander.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool half of the audit, on records written by hand: it must catch a leaked slot and only that; and the
 * instance overlaps the early-end tests bound.
 */
class HistoriesTest {

    @TempDir
    Path directory;

    @Test
    void aSlotThatNeverComesBackIsALeak() throws Exception {
        Histories histories = read(
                "POOL a 7 1 1 2 0 100 acquired",
                "POOL a 7 1 1 2 0 200 second",
                "POOL a 7 1 1 2 0 300 second",
                "POOL a 7 1 0 1 0 400 lost",      // the lock session was aborted and never closed …
                "POOL a 7 2 0 2 0 500 second",    // … so a new one makes two
                "POOL a 7 2 0 2 0 600 second",
                "POOL a 7 2 0 2 0 700 acquired",
                "POOL a 7 2 0 2 0 800 second",
                "POOL a 7 2 0 2 0 900 second");

        assertThat(histories.poolLeaks(1)).hasSize(2)
                .allSatisfy(leak -> assertThat(leak).contains("never fewer than 2 out"));
        assertThat(histories.poolOverdraws(1)).as("two out is still within a lookup's allowance").isEmpty();
    }

    @Test
    void aConnectionBorrowedForAMomentIsNoLeak() throws Exception {
        Histories histories = read(
                "POOL a 7 2 0 2 0 100 second",    // the library's one extra connection at start
                "POOL a 7 1 1 2 0 200 second",
                "POOL a 7 2 0 2 0 300 acquired",  // an event sample may count a lookup in flight
                "POOL a 7 2 0 2 0 400 second",    // one sample is not enough to call it a leak
                "POOL a 7 1 1 2 0 500 lost",
                "POOL b 8 1 1 2 0 150 second",
                "POOL b 8 1 1 2 0 250 second");

        assertThat(histories.poolLeaks(1)).isEmpty();
        assertThat(histories.latestPeriodicPoolSample(7)).get().extracting(Histories.PoolSample::micros).isEqualTo(400L);
    }

    @Test
    void moreThanALockSessionAndALookupIsAnOverdraw() throws Exception {
        Histories histories = read(
                "POOL a 7 1 1 2 0 100 second",
                "POOL a 7 3 1 4 1 200 lost");

        assertThat(histories.poolOverdraws(1)).extracting(Histories.PoolSample::micros).containsExactly(200L);
    }

    @Test
    void twoNodesInstancesOverlapFromTheLaterBeginToTheEarlierEnd() throws Exception {
        Histories histories = read(
                "LIFE a 7.1 begin 100",
                "LIFE b 8.1 begin 400",          // b begins while a's @PreDestroy still runs …
                "LIFE a 7.1 end 650",            // … for 250 µs
                "LIFE a 7.2 begin 900",          // a again, after b ended: no overlap
                "LIFE b 8.1 end 800",
                "LIFE c 9.1 begin 950");         // still running: not yet an overlap with a figure

        assertThat(histories.instanceOverlaps()).singleElement().satisfies(overlap -> {
            assertThat(overlap.micros()).isEqualTo(250L);
            assertThat(overlap.earlier().node()).isEqualTo("a");
            assertThat(overlap.later().node()).isEqualTo("b");
        });
    }

    private Histories read(String... lines) throws Exception {
        Files.write(directory.resolve("a.log"), List.of(lines));
        return new Histories.Reader(directory).read();
    }
}
