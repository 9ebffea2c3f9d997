package io.highlander.example.demo;

import io.highlander.example.demo.NodeEvent.Kind;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One node JVM that the demo started: its stdout becomes {@link NodeEvent}s, its stderr (Weld's and
 * Highlander's log) goes to {@code <id>.log}, with Highlander's warnings also shown. Signals go only to
 * this process, by its pid.
 */
final class Node {

    private final String id;
    private final Process process;
    private final Timeline timeline;
    private final CountDownLatch reported = new CountDownLatch(1);
    private volatile boolean frozen;
    private volatile String lastProblem = "";

    private Node(String id, Process process, Timeline timeline) {
        this.id = id;
        this.process = process;
        this.timeline = timeline;
    }

    static Node start(String id, ProcessBuilder builder, Timeline timeline, Path log) throws IOException {
        Node node = new Node(id, builder.start(), timeline);
        node.follow(log);
        return node;
    }

    String id() {
        return id;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** @return the last thing the node said went wrong, from its log, for an error message */
    String lastProblem() {
        return lastProblem;
    }

    // Signals go through the ProcessHandle: Process.destroy() would also close our ends of the node's
    // pipes, and we would miss what it prints while it stops.

    /** SIGTERM: the JVM runs its shutdown hooks, so Weld stops the singleton and the lock is released. */
    void terminate() {
        resume();
        process.toHandle().destroy();
    }

    /** SIGKILL: no hook runs; the OS closes the socket and PostgreSQL ends the session. */
    void kill() {
        process.toHandle().destroyForcibly();
    }

    /** SIGSTOP: every thread stops, the heartbeat too, but the socket stays open. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
        frozen = true;
    }

    /** SIGCONT, if frozen. */
    void resume() {
        if (frozen) {
            try {
                signal("CONT");
                frozen = false;
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                process.toHandle().destroyForcibly(); // cannot wake it: do not leave it frozen
            }
        }
    }

    /** @return whether it ended, and everything it printed was reported, within the timeout */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                && reported.await(Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(2),
                TimeUnit.NANOSECONDS);
    }

    private void signal(String signal) throws IOException, InterruptedException {
        // Java has no API for SIGSTOP/SIGCONT; kill(1) with the pid of our own child, nothing broader.
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    private void follow(Path log) throws IOException {
        BufferedWriter logWriter = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        logWriter.write("---- node " + id + ", pid " + process.pid() + System.lineSeparator());
        logWriter.flush();
        Thread errors = new Thread(() -> readErrors(logWriter), "node-" + id + "-stderr");
        errors.setDaemon(true);
        errors.start();
        Thread output = new Thread(() -> readOutput(errors), "node-" + id + "-stdout");
        output.setDaemon(true);
        output.start();
    }

    private void readOutput(Thread errors) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                NodeEvent.parse(line).ifPresent(timeline::add);
            }
        } catch (IOException e) {
            // the process is gone; its exit is reported below
        }
        try {
            int status = process.waitFor();
            errors.join(1000); // its last words first
            timeline.add(new NodeEvent(NodeEvent.now(), id, Kind.EXIT, -1, exitStatus(status)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            reported.countDown();
        }
    }

    private void readErrors(BufferedWriter logWriter) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)); logWriter) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                logWriter.write(line);
                logWriter.newLine();
                logWriter.flush();
                int messageId = line.indexOf("HL-");
                boolean warning = line.contains(" WARNING ") || line.contains(" SEVERE ");
                if (messageId >= 0 && (warning || line.startsWith("cannot start"))) {
                    lastProblem = line.substring(messageId);
                    timeline.add(new NodeEvent(NodeEvent.now(), id, Kind.WARNING, -1, lastProblem));
                } else if (line.startsWith("cannot start")) {
                    lastProblem = line;
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private static String exitStatus(int status) {
        return switch (status) {
            case 0 -> "exit 0";
            case 143 -> "SIGTERM, after its shutdown hooks";
            case 137 -> "SIGKILL";
            default -> "exit " + status;
        };
    }

    @Override
    public String toString() {
        return "node " + id + " (pid " + pid() + ")";
    }
}
