package io.highlander.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark from rotting: the quick mode runs every scenario with few trials and must print every
 * row. Timings are not asserted (CI machines vary); the full run's table lives in the README.
 */
class BenchmarkQuickIT {

    @Test
    void quickRunPrintsEveryRow() throws Exception {
        Report report = BenchmarkMain.run(true);
        String out = System.getProperty("bench.out");
        if (out != null) {
            Files.writeString(Path.of(out), report.text());
        }
        assertEquals(BenchmarkMain.ROWS, report.rowIds(), "rows printed");
        for (String id : BenchmarkMain.ROWS) {
            assertTrue(report.text().contains("| " + id + " | "), "row " + id + " is in the table");
        }
        assertTrue(!report.text().contains("| n/a | n/a | n/a"), "every latency row has samples");
    }
}
