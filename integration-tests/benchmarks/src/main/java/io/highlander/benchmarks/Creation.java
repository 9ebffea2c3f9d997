package io.highlander.benchmarks;

import io.highlander.testing.processes.NodeCommand;
import io.highlander.testing.processes.NodeProcesses;
import io.highlander.testing.processes.OutputLine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

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
        Path out = logDir.resolve("creation-" + index + ".out");
        try (NodeProcesses processes = new NodeProcesses("bench-creation", Duration.ZERO)) {
            var process = processes.start(NodeCommand.of(CreationMain.class).name("creation-" + index)
                    .jvmOptions(NodeProcess.jvmOptions())
                    .systemProperty("bench.creation.prepared", Boolean.toString(prepared))
                    .classPath(NodeProcess.classPath)
                    .stderrMergedIntoStdout()
                    .stdoutCopiedTo(out));
            // one JVM at a time: the next one's start-up must not share the CPUs with this one's
            if (!process.awaitExit(Duration.ofSeconds(120))) {
                throw new IllegalStateException("CreationMain did not finish; see " + out);
            }
            return process.lines().stream().map(OutputLine::text).filter(l -> l.startsWith("CREATE ")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no CREATE line in " + out));
        }
    }
}
