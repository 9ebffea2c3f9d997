package io.highlander.benchmarks;

import io.highlander.testing.processes.NodeCommand;
import io.highlander.testing.processes.NodeProcesses;
import io.highlander.testing.processes.Signal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node JVM started by the harness, through the shared {@link io.highlander.testing.processes.NodeProcess}: its
 * stdout lines become {@link Event}s (and are copied to {@code <id>.out}), its stderr goes to {@code <id>.log}.
 */
final class NodeProcess {

    /** Flags of every node JVM (and printed with the table). */
    static final List<String> JVM_FLAGS = List.of("-Xms32m", "-Xmx192m", "-XX:+UseSerialGC",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    /** The class path of node JVMs and JMH forks: a private copy, see {@link #isolateClassPath}. */
    static volatile String classPath = System.getProperty("java.class.path");

    final String id;
    final int slot;
    // set right after the start, before anyone but the output's reader can see this node
    private volatile io.highlander.testing.processes.NodeProcess process;

    private NodeProcess(String id, int slot) {
        this.id = id;
        this.slot = slot;
    }

    static NodeProcess start(Class<?> main, String id, int slot, Map<String, String> properties, Path logDir,
                             Cluster sink, NodeProcesses group) throws IOException {
        NodeProcess node = new NodeProcess(id, slot);
        // stdout is read from the pipe: signals go through the ProcessHandle, which (unlike Process.destroy) leaves
        // our end open, so the last lines of a process that exits (the unlock's trace) are read too
        NodeCommand command = NodeCommand.of(main).name(id)
                .jvmOptions(jvmOptions(properties.get("bench.jvm.xmx")))
                .systemProperties(properties)
                .systemProperty("highlander.node-id", id)
                .classPath(classPath)
                .stdoutCopiedTo(logDir.resolve(id + ".out"))
                .stderrAppendedTo(logDir.resolve(id + ".log"))
                .onStdout(line -> {
                    Event event = Event.parse(node, line.text());
                    if (event != null) {
                        sink.add(event);
                    }
                });
        node.process = group.start(command);
        return node;
    }

    /**
     * @return {@link #JVM_FLAGS}, {@code highlander.takeover} from {@code -Dbench.takeover} (fast or strict; the raw
     *         nodes ignore it) and the diagnostic flags of {@code -Dbench.node.jvmArgs} (e.g. -Xlog:class+load)
     */
    static List<String> jvmOptions() {
        return jvmOptions(null);
    }

    /** @return {@link #jvmOptions()}, with a larger heap where a JVM hosts many nodes ({@code bench.jvm.xmx}, e.g. 512m) */
    static List<String> jvmOptions(String maxHeap) {
        List<String> options = new ArrayList<>(JVM_FLAGS);
        if (maxHeap != null) {
            options.add("-Xmx" + maxHeap); // the later -Xmx wins
        }
        options.add("-Dhighlander.takeover=" + takeover());
        String extra = System.getProperty("bench.node.jvmArgs", "").trim();
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+")));
        }
        return options;
    }

    /** @return the takeover mode every Highlander node runs with: {@code -Dbench.takeover}, fast by default */
    static String takeover() {
        String takeover = System.getProperty("bench.takeover", "").trim();
        return takeover.isEmpty() ? "fast" : takeover;
    }

    /**
     * Copies this JVM's class path into {@code dir} and uses the copy for every JVM started from now on (and for
     * JMH's forks, which take {@code java.class.path}): a build that re-installs the library into the local
     * repository while the benchmark runs would otherwise swap jars under running nodes, which then fail to load
     * the classes they need only when they first lead.
     */
    static void isolateClassPath(Path dir) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        List<String> copied = new ArrayList<>();
        int index = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path source = Path.of(entry);
            if (java.nio.file.Files.isRegularFile(source)) {
                Path target = dir.resolve((index++) + "-" + source.getFileName());
                java.nio.file.Files.copy(source, target);
                copied.add(target.toString());
            } else if (java.nio.file.Files.isDirectory(source)) {
                Path target = dir.resolve((index++) + "-classes");
                try (var files = java.nio.file.Files.walk(source)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Path copy = target.resolve(source.relativize(file).toString());
                        if (java.nio.file.Files.isDirectory(file)) {
                            java.nio.file.Files.createDirectories(copy);
                        } else {
                            java.nio.file.Files.copy(file, copy);
                        }
                    }
                }
                copied.add(target.toString());
            }
        }
        classPath = String.join(java.io.File.pathSeparator, copied);
        System.setProperty("java.class.path", classPath);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM: the JVM runs its shutdown hooks (graceful hand-over). */
    void term() {
        process.terminate();
    }

    /** SIGKILL. */
    void kill() {
        process.kill();
    }

    /** SIGSTOP / SIGCONT, through kill(1): the JDK has no call for them. */
    void signal(String signal) throws IOException, InterruptedException {
        process.signal(Signal.valueOf(signal));
    }

    void send(String command) {
        process.send(command); // false if gone already
    }

    /** @return whether it ended, and all it printed was read, within the bound */
    boolean awaitExit(long millis) throws InterruptedException {
        return process.awaitExit(Duration.ofMillis(millis));
    }

    /** Asks the node to exit (end of input), then kills it if it has not within the bound. */
    void close() throws InterruptedException {
        process.closeInput();
        if (!process.awaitExit(Duration.ofSeconds(15))) {
            process.kill();
            process.awaitExit(Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return id + "(pid " + process.pid() + ")";
    }
}
