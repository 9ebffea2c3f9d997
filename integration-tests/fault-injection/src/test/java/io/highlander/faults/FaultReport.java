package io.highlander.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Collects every fault's outcome and prints the table the README quotes. */
final class FaultReport {

    private record Row(int runs, long maxOverlapMicros, int overlaps, List<Long> failoverMicros) {
    }

    private static final Map<String, Row> ROWS = new TreeMap<>();

    private FaultReport() {
    }

    static synchronized void add(String fault, int runs, List<Long> failoverMicros, List<Histories.Overlap> overlaps) {
        Row old = ROWS.getOrDefault(fault, new Row(0, 0, 0, List.of()));
        List<Long> failovers = new ArrayList<>(old.failoverMicros());
        failovers.addAll(failoverMicros);
        long max = overlaps.stream().mapToLong(Histories.Overlap::micros).max().orElse(0);
        ROWS.put(fault, new Row(old.runs() + runs, Math.max(old.maxOverlapMicros(), max),
                old.overlaps() + overlaps.size(), failovers));
    }

    static synchronized String table() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "Machine: %d cores, %s %s, JDK %s; lease %d ms, heartbeat %d ms,"
                        + " stop margin %d ms, standby interval %d ms, tick %d ms%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), FaultCluster.LEASE.toMillis(), FaultCluster.HEARTBEAT.toMillis(),
                FaultCluster.STOP_MARGIN.toMillis(), FaultCluster.STANDBY_INTERVAL.toMillis(), FaultCluster.TICK.toMillis()));
        text.append("| fault | runs | overlaps (max) | failover median | p95 | max |\n");
        text.append("|---|---:|---:|---:|---:|---:|\n");
        ROWS.forEach((fault, row) -> {
            List<Long> sorted = row.failoverMicros().stream().sorted().toList();
            text.append(String.format(Locale.ROOT, "| %s | %d | %d (%s) | %s | %s | %s |%n", fault, row.runs(),
                    row.overlaps(), millis(row.maxOverlapMicros()), sorted.isEmpty() ? "-" : millis(percentile(sorted, 50)),
                    sorted.isEmpty() ? "-" : millis(percentile(sorted, 95)), sorted.isEmpty() ? "no failover" : millis(sorted.get(sorted.size() - 1))));
        });
        return text.toString();
    }

    static void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, table());
    }

    private static long percentile(List<Long> sorted, int percent) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%d ms", Math.round(micros / 1000.0));
    }
}
