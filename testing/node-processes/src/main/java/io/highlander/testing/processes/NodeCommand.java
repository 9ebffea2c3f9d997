package io.highlander.testing.processes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What to start: a JVM running this JVM's {@code java} with {@code <jvm options> -D<properties> -cp <class path>
 * <main class> <arguments>}, in that order, and what to do with its output. Stdout is always read line by line
 * and recorded ({@link NodeProcess#lines()}); stderr is recorded the same way unless it is merged into stdout or
 * appended to a file. A command is a mutable builder: {@link NodeProcesses#start} takes a snapshot of it, so one
 * command can start several processes, changed in between.
 */
public final class NodeCommand {

    private final String mainClass;
    private String name;
    private String classPath = System.getProperty("java.class.path");
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final List<String> arguments = new ArrayList<>();
    private final List<Consumer<Map<String, String>>> environmentChanges = new ArrayList<>();
    private Path stdoutCopy;
    private Path stderrCopy;
    private Path stderrFile;
    private boolean stderrMerged;
    private final List<Consumer<OutputLine>> stdoutListeners = new ArrayList<>();
    private final List<Consumer<OutputLine>> stderrListeners = new ArrayList<>();

    private NodeCommand(String mainClass) {
        this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }

    /**
     * @param mainClass the main class, by its binary name
     * @return a command that runs it with this JVM's class path and no options
     */
    public static NodeCommand of(String mainClass) {
        return new NodeCommand(mainClass);
    }

    /**
     * @param mainClass the main class
     * @return a command that runs it with this JVM's class path and no options
     */
    public static NodeCommand of(Class<?> mainClass) {
        return new NodeCommand(mainClass.getName());
    }

    /**
     * @param name how the process is named in thread names, copies' headers and {@code toString} (default: the
     *             main class's simple name)
     * @return this command
     */
    public NodeCommand name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * @param classPath the {@code -cp} of the process (default: this JVM's {@code java.class.path} when the
     *                  command was made)
     * @return this command
     */
    public NodeCommand classPath(String classPath) {
        this.classPath = Objects.requireNonNull(classPath, "classPath");
        return this;
    }

    /**
     * @param options JVM options such as {@code -Xmx96m}, added after those given before
     * @return this command
     */
    public NodeCommand jvmOptions(String... options) {
        return jvmOptions(List.of(options));
    }

    /**
     * @param options JVM options such as {@code -Xmx96m}, added after those given before
     * @return this command
     */
    public NodeCommand jvmOptions(List<String> options) {
        jvmOptions.addAll(options);
        return this;
    }

    /**
     * Sets a system property ({@code -Dkey=value}); properties come after the JVM options, in the order they were
     * first set. Its value shows in {@code ps}: pass a secret through {@link #environment} instead.
     *
     * @param key   the property's name
     * @param value its value
     * @return this command
     */
    public NodeCommand systemProperty(String key, String value) {
        systemProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * @param properties system properties to set, in their iteration order (see {@link #systemProperty})
     * @return this command
     */
    public NodeCommand systemProperties(Map<String, String> properties) {
        properties.forEach(this::systemProperty);
        return this;
    }

    /**
     * @param arguments arguments of the main method, added after those given before
     * @return this command
     */
    public NodeCommand arguments(String... arguments) {
        this.arguments.addAll(List.of(arguments));
        return this;
    }

    /**
     * @param change edits the environment the process would otherwise inherit from this JVM (applied in the
     *               order given)
     * @return this command
     */
    public NodeCommand environment(Consumer<Map<String, String>> change) {
        environmentChanges.add(Objects.requireNonNull(change, "change"));
        return this;
    }

    /**
     * @param file a file that every stdout line (and stderr's, when {@linkplain #stderrMergedIntoStdout merged}) is
     *             appended to, after a header line {@code ---- <name>, pid <pid>}; written as the lines are read,
     *             and complete once {@link NodeProcess#awaitExit} returned {@code true}
     * @return this command
     */
    public NodeCommand stdoutCopiedTo(Path file) {
        this.stdoutCopy = file;
        return this;
    }

    /**
     * @param file a file that every stderr line is appended to, as {@link #stdoutCopiedTo} does for stdout; the
     *             lines are still recorded ({@link NodeProcess#errorLines()}) and seen by {@link #onStderr}
     * @return this command
     */
    public NodeCommand stderrCopiedTo(Path file) {
        this.stderrCopy = file;
        this.stderrFile = null;
        this.stderrMerged = false;
        return this;
    }

    /**
     * Sends stderr straight to the end of a file (by the operating system: nothing here reads it, so it is
     * neither recorded nor seen by {@link #onStderr}).
     *
     * @param file the file
     * @return this command
     */
    public NodeCommand stderrAppendedTo(Path file) {
        this.stderrFile = Objects.requireNonNull(file, "file");
        this.stderrCopy = null;
        this.stderrMerged = false;
        return this;
    }

    /**
     * Merges stderr into stdout, interleaved as the process wrote them: every line is then a {@link
     * NodeProcess#lines() stdout line}.
     *
     * @return this command
     */
    public NodeCommand stderrMergedIntoStdout() {
        this.stderrMerged = true;
        this.stderrFile = null;
        this.stderrCopy = null;
        return this;
    }

    /**
     * @param listener called with every stdout line, in order, on the thread that reads them, after the line was
     *                 recorded (keep it quick: a process whose output is not read blocks when it prints); an
     *                 exception it throws is logged and does not stop the reading
     * @return this command
     */
    public NodeCommand onStdout(Consumer<OutputLine> listener) {
        stdoutListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * @param listener called with every stderr line, as {@link #onStdout} is (not when stderr is merged or
     *                 appended to a file)
     * @return this command
     */
    public NodeCommand onStderr(Consumer<OutputLine> listener) {
        stderrListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** @return the main class, by its binary name */
    public String mainClass() {
        return mainClass;
    }

    /** @return how the process is named */
    public String name() {
        return name;
    }

    /**
     * @return the command line: this JVM's {@code java}, the JVM options, the system properties, {@code -cp}, the
     *         class path, the main class and its arguments
     */
    public List<String> commandLine() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(arguments);
        return command;
    }

    /** What {@link NodeProcess} needs to start, taken at once so that later changes to this builder do not leak in. */
    Snapshot snapshot() {
        return new Snapshot(name, commandLine(), List.copyOf(environmentChanges), stdoutCopy, stderrCopy, stderrFile,
                stderrMerged, List.copyOf(stdoutListeners), List.copyOf(stderrListeners));
    }

    record Snapshot(String name, List<String> commandLine, List<Consumer<Map<String, String>>> environmentChanges,
                    Path stdoutCopy, Path stderrCopy, Path stderrFile, boolean stderrMerged,
                    List<Consumer<OutputLine>> stdoutListeners, List<Consumer<OutputLine>> stderrListeners) {
    }

    @Override
    public String toString() {
        // the main class and the name only: system properties may hold credentials
        return "NodeCommand[" + name + ": " + mainClass + "]";
    }
}
