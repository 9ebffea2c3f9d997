package io.highlander.testing.processes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A JVM that a {@link NodeProcesses} group started from a {@link NodeCommand}: its PID, the lines it printed (each
 * with the instant it arrived), its stdin, signals by PID, and a bounded stop. It has ended, for {@link #awaitExit}
 * and {@link #onExit}, once the process is gone <em>and</em> everything it printed was read: what a node prints
 * while it stops (its shutdown hooks) is part of what tests look at.
 */
public final class NodeProcess {

    /** How long a process may take to be gone after SIGKILL (the kernel's part) and its output to be read. */
    static final Duration KILL_BOUND = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final ProcessHandle handle;
    private final OutputReader stdout;
    private final OutputReader stderr;
    private final OutputStream stdin;
    private final CompletableFuture<NodeProcess> ended;
    private volatile boolean paused;

    private NodeProcess(String name, Process process, OutputReader stdout, OutputReader stderr) {
        this.name = name;
        this.process = process;
        this.handle = process.toHandle();
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdin = process.getOutputStream();
        this.ended = CompletableFuture.allOf(process.onExit(), stdout.finished(), stderr.finished())
                .thenApply(done -> this);
    }

    static NodeProcess start(NodeCommand.Snapshot command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command.commandLine());
        command.environmentChanges().forEach(change -> change.accept(builder.environment()));
        if (command.stderrMerged()) {
            builder.redirectErrorStream(true);
        } else if (command.stderrFile() != null) {
            builder.redirectError(ProcessBuilder.Redirect.appendTo(command.stderrFile().toFile()));
        }
        Process process = builder.start();
        OutputReader stdout = new OutputReader(command.stdoutListeners());
        OutputReader stderr = new OutputReader(command.stderrListeners());
        NodeProcess node = new NodeProcess(command.name(), process, stdout, stderr);
        String header = "---- " + command.name() + ", pid " + process.pid();
        try {
            stdout.start(process.getInputStream(), command.stdoutCopy(), header, "node-" + command.name() + "-stdout");
            if (command.stderrMerged() || command.stderrFile() != null) {
                stderr.none();
            } else {
                stderr.start(process.getErrorStream(), command.stderrCopy(), header, "node-" + command.name() + "-stderr");
            }
        } catch (IOException | RuntimeException e) {
            // a copy file could not be opened: do not leave the process running unseen
            process.toHandle().destroyForcibly();
            throw e;
        }
        return node;
    }

    /** @return the name its command gave it */
    public String name() {
        return name;
    }

    /** @return its process id */
    public long pid() {
        return process.pid();
    }

    /** @return whether the process is still running (its output may still be being read) */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return whether it was sent STOP and not CONT since (by this object) */
    public boolean isPaused() {
        return paused;
    }

    /** @return every stdout line read so far (with stderr's, if merged), in order */
    public List<OutputLine> lines() {
        return stdout.lines();
    }

    /** @return every stderr line read so far; empty when stderr is merged into stdout or appended to a file */
    public List<OutputLine> errorLines() {
        return stderr.lines();
    }

    /**
     * Waits for a stdout line (from the first one on, so a line that came already counts).
     *
     * @param wanted  what the line's text must satisfy
     * @param timeout how long to wait at most
     * @return the first matching line; empty if none came within the timeout, or (at once) if the process's stdout
     *         ended without one
     */
    public Optional<OutputLine> awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        return stdout.await(wanted, timeout);
    }

    /**
     * Sends a signal to this process, by its PID. TERM and KILL go through its {@link ProcessHandle} (not {@link
     * Process#destroy()}, which would also close our ends of its pipes and lose what it prints while it stops);
     * STOP and CONT run {@code kill -s STOP|CONT <pid>}, since the JDK has no call for them. Nothing is waited
     * for: see {@link #awaitExit} and {@link #stop}.
     *
     * @param signal the signal
     * @throws IOException if {@code kill} could not be run or failed (e.g. the process is gone)
     */
    public void signal(Signal signal) throws IOException, InterruptedException {
        switch (signal) {
            case TERM -> handle.destroy();
            case KILL -> handle.destroyForcibly();
            case STOP -> {
                kill("STOP");
                paused = true;
            }
            case CONT -> {
                kill("CONT");
                paused = false;
            }
        }
    }

    /** SIGTERM (see {@link #signal}): the JVM runs its shutdown hooks. */
    public void terminate() {
        handle.destroy();
    }

    /** SIGKILL (see {@link #signal}): no hook runs. */
    public void kill() {
        handle.destroyForcibly();
    }

    /** SIGSTOP (see {@link #signal}). */
    public void pause() throws IOException, InterruptedException {
        signal(Signal.STOP);
    }

    /** SIGCONT (see {@link #signal}). */
    public void resume() throws IOException, InterruptedException {
        signal(Signal.CONT);
    }

    private void kill(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -s " + signal + " " + process.pid() + " did not return within 10 s");
        }
        if (kill.exitValue() != 0) {
            throw new IOException("kill -s " + signal + " " + process.pid() + " failed (exit " + kill.exitValue()
                    + "): " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        }
    }

    /**
     * Writes one line to the process's stdin.
     *
     * @param line the line, without a terminator
     * @return whether it was written (false: the process has ended, or its stdin was closed)
     */
    public boolean send(String line) {
        try {
            synchronized (stdin) {
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Closes the process's stdin: it reads end of input. */
    public void closeInput() {
        try {
            synchronized (stdin) {
                stdin.close();
            }
        } catch (IOException e) {
            // gone already
        }
    }

    /**
     * @param timeout how long to wait at most
     * @return whether the process ended, and everything it printed was read (and copied), within the timeout
     */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        try {
            ended.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for " + this + " failed", e.getCause());
        }
    }

    /** @return completes once the process ended and everything it printed was read (and copied) */
    public CompletableFuture<NodeProcess> onExit() {
        return ended.copy();
    }

    /** @return its exit code, once the process has ended (128 + the signal's number if a signal ended it) */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /**
     * Stops the process: with a grace period, CONT (a stopped JVM cannot run its shutdown hooks) and TERM, then
     * KILL if it has not ended within the grace; with {@link Duration#ZERO}, KILL at once. Either way it then waits
     * (a bounded time) until it is gone and its output read.
     *
     * @param grace how long its shutdown hooks may take
     * @return whether it ended without KILL (true also if it had ended already)
     */
    public boolean stop(Duration grace) throws InterruptedException {
        if (!isAlive()) {
            awaitExit(KILL_BOUND);
            return true;
        }
        if (!grace.isZero() && !grace.isNegative()) {
            askToStop();
            if (awaitExit(grace)) {
                return true;
            }
        }
        kill();
        awaitExit(KILL_BOUND);
        return false;
    }

    /** CONT, whether or not it was stopped through this object (someone may have run kill -STOP by hand), and TERM. */
    void askToStop() throws InterruptedException {
        try {
            resume();
        } catch (IOException e) {
            // gone already, or kill(1) failed: TERM, and KILL after the grace, still end it
        }
        terminate();
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
