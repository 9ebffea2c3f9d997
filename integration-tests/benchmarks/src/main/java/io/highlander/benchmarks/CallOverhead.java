package io.highlander.benchmarks;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link CallOverheadBenchmark} with JMH (forked JVMs, as JMH wants) and returns its scores. */
final class CallOverhead {

    /** One benchmark's score in ns/op, its 99.9% error, and bytes allocated per call. */
    record Score(double nanos, double error, double bytesPerCall) {
    }

    private CallOverhead() {
    }

    static Map<String, Score> run(PostgresServer server, boolean quick, Path jmhLog) throws Exception {
        String database = server.newDatabase("jmh");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(CallOverheadBenchmark.class.getName())
                .forks(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend("-Dhighlander.datasource.url=" + server.url(database),
                        "-Dhighlander.datasource.user=" + server.user(),
                        "-Dhighlander.datasource.password=" + server.password(),
                        "-Dhighlander.node-id=jmh",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                .output(jmhLog.toString());
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Score> scores = new LinkedHashMap<>();
        for (RunResult run : results) {
            String label = run.getParams().getBenchmark();
            label = label.substring(label.lastIndexOf('.') + 1);
            Result<?> primary = run.getPrimaryResult();
            double bytes = Double.NaN;
            for (Map.Entry<String, Result> secondary : run.getSecondaryResults().entrySet()) {
                if (secondary.getKey().endsWith("gc.alloc.rate.norm")) {
                    bytes = secondary.getValue().getScore();
                }
            }
            scores.put(label, new Score(primary.getScore(), primary.getScoreError(), bytes));
        }
        return scores;
    }
}
