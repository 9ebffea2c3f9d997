package io.highlander.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A node JVM started by the harness; its stdout lines become {@link Event}s, its stderr goes to a log file. */
final class NodeProcess {

    /** Flags of every node JVM (and printed with the table). */
    static final List<String> JVM_FLAGS = List.of("-Xms32m", "-Xmx192m", "-XX:+UseSerialGC",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    /** The class path of node JVMs and JMH forks: a private copy, see {@link #isolateClassPath}. */
    static volatile String classPath = System.getProperty("java.class.path");

    final String id;
    final int slot;
    private final Process process;
    private final OutputStream stdin;

    private NodeProcess(String id, int slot, Process process) {
        this.id = id;
        this.slot = slot;
        this.process = process;
        this.stdin = process.getOutputStream();
    }

    static NodeProcess start(Class<?> main, String id, int slot, Map<String, String> properties, Path logDir,
                             Cluster sink) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        String extra = System.getProperty("bench.node.jvmArgs", "").trim(); // diagnostics, e.g. -Xlog:class+load
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dhighlander.node-id=" + id);
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        // stdout goes to a file that a thread tails: reading the JDK's pipe from another thread loses the
        // last lines of a process that exits ("Stream closed"), and those are the unlock's trace
        Path out = logDir.resolve(id + ".out");
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve(id + ".log").toFile()))
                .redirectOutput(out.toFile())
                .start();
        NodeProcess node = new NodeProcess(id, slot, process);
        Thread reader = new Thread(() -> node.read(out, sink), "bench-read-" + id);
        reader.setDaemon(true);
        reader.start();
        return node;
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

    private void read(Path out, Cluster sink) {
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(out.toFile(), "r")) {
            StringBuilder line = new StringBuilder();
            byte[] buffer = new byte[8192];
            while (true) {
                int read = file.read(buffer);
                if (read <= 0) {
                    if (!process.isAlive() && file.getFilePointer() >= file.length()) {
                        return;
                    }
                    Thread.sleep(2);
                    continue;
                }
                for (int i = 0; i < read; i++) {
                    char c = (char) buffer[i]; // our lines are ASCII
                    if (c == '\n') {
                        Event event = Event.parse(this, line.toString());
                        if (event != null) {
                            sink.add(event);
                        }
                        line.setLength(0);
                    } else {
                        line.append(c);
                    }
                }
            }
        } catch (IOException e) {
            // the file is gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM: the JVM runs its shutdown hooks (graceful hand-over). */
    void term() {
        process.destroy();
    }

    /** SIGKILL. */
    void kill() {
        process.destroyForcibly();
    }

    /** SIGSTOP / SIGCONT, through kill(1): the JDK has no call for them. */
    void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    void send(String command) {
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            // gone already
        }
    }

    boolean awaitExit(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** Asks the node to exit (end of input), then kills it if it has not within the bound. */
    void close() throws InterruptedException {
        try {
            stdin.close();
        } catch (IOException e) {
            // gone already
        }
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return id + "(pid " + process.pid() + ")";
    }
}
