package io.highlander.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link CreationMain} in fresh JVMs, alternating plain and prepared ones, and collects the container's
 * first and second creation of a singleton-like bean (context → instance → {@code @PostConstruct} entry).
 */
final class Creation {

    /** The samples: first creation without and with the standby's preparation, second creation, the preparation. */
    static final class Samples {
        final Latency coldFirst = new Latency();
        final Latency second = new Latency();
        final Latency preparedFirst = new Latency();
        final Latency prepare = new Latency();
    }

    private final Path logDir;

    Creation(Path logDir) {
        this.logDir = logDir;
    }

    Samples run(int jvmsPerMode) throws IOException, InterruptedException {
        Samples samples = new Samples();
        for (int i = 0; i < 2 * jvmsPerMode; i++) {
            boolean prepared = i % 2 == 1;
            String[] line = createOnce(prepared, i).split(" ");
            long first = Long.parseLong(line[2]) / 1_000;
            long second = Long.parseLong(line[3]) / 1_000;
            (prepared ? samples.preparedFirst : samples.coldFirst).record(first);
            samples.second.record(second);
            if (prepared) {
                samples.prepare.record(Long.parseLong(line[4]) / 1_000);
            }
        }
        return samples;
    }

    private String createOnce(boolean prepared, int index) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(NodeProcess.JVM_FLAGS);
        String extra = System.getProperty("bench.node.jvmArgs", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.add("-Dbench.creation.prepared=" + prepared);
        command.add("-cp");
        command.add(NodeProcess.classPath);
        command.add(CreationMain.class.getName());
        Path out = logDir.resolve("creation-" + index + ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("CreationMain did not finish; see " + out);
        }
        return Files.readAllLines(out).stream().filter(l -> l.startsWith("CREATE ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no CREATE line in " + out));
    }
}
