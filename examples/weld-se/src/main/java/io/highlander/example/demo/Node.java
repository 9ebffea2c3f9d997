package io.highlander.example.demo;

import io.highlander.example.demo.NodeEvent.Kind;
import io.highlander.testing.processes.NodeCommand;
import io.highlander.testing.processes.NodeProcess;
import io.highlander.testing.processes.NodeProcesses;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One node JVM that the demo started: its stdout becomes {@link NodeEvent}s, its stderr (Weld's and
 * Highlander's log) goes to {@code <id>.log}, with Highlander's warnings also shown. Signals go only to
 * this process, by its pid (through the shared {@link NodeProcess}).
 */
final class Node {

    private final String id;
    private final NodeProcess process;
    private final CompletableFuture<Void> reported;
    private final Problems problems;

    private Node(String id, NodeProcess process, Problems problems, Timeline timeline) {
        this.id = id;
        this.process = process;
        this.problems = problems;
        // after the process ended and the last of its output was read: its last words come first
        this.reported = process.onExit().thenAccept(ended -> timeline.add(new NodeEvent(NodeEvent.now(), id, Kind.EXIT,
                -1, exitStatus(ended.exitCode().orElse(-1)))));
    }

    static Node start(String id, NodeCommand command, NodeProcesses group, Timeline timeline, Path log)
            throws IOException {
        Problems problems = new Problems();
        command.name("node " + id).stderrCopiedTo(log)
                .onStdout(line -> NodeEvent.parse(line.text()).ifPresent(timeline::add))
                .onStderr(line -> problems.read(id, line.text(), timeline));
        return new Node(id, group.start(command), problems, timeline);
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
        return problems.last;
    }

    /** SIGTERM: the JVM runs its shutdown hooks, so Weld stops the singleton and the lock is released. */
    void terminate() {
        resume();
        process.terminate();
    }

    /** SIGKILL: no hook runs; the OS closes the socket and PostgreSQL ends the session. */
    void kill() {
        process.kill();
    }

    /** SIGSTOP: every thread stops, the heartbeat too, but the socket stays open. */
    void freeze() throws IOException, InterruptedException {
        process.pause();
    }

    /** SIGCONT, if frozen. */
    void resume() {
        if (process.isPaused()) {
            try {
                process.resume();
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                process.kill(); // cannot wake it: do not leave it frozen
            }
        }
    }

    /** @return whether it ended, and everything it printed was reported, within the timeout */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        try {
            reported.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("following " + this + " failed", e.getCause());
        }
    }

    /** What the node's log says went wrong: its warnings are shown, the last one explains a failed start. */
    private static final class Problems {
        volatile String last = "";

        void read(String id, String line, Timeline timeline) {
            int messageId = line.indexOf("HL-");
            boolean warning = line.contains(" WARNING ") || line.contains(" SEVERE ");
            if (messageId >= 0 && (warning || line.startsWith("cannot start"))) {
                last = line.substring(messageId);
                timeline.add(new NodeEvent(NodeEvent.now(), id, Kind.WARNING, -1, last));
            } else if (line.startsWith("cannot start")) {
                last = line;
            }
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
