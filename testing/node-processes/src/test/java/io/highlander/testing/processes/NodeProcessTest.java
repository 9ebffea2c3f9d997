package io.highlander.testing.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProcessTest {

    private static final Duration START = Duration.ofSeconds(60);

    private final NodeProcesses group = new NodeProcesses("node-process-test", Duration.ZERO);

    @TempDir
    Path files;

    @AfterEach
    void stopEverything() {
        group.close();
    }

    @Test
    void startsAJvmWithItsPropertiesAndArgumentsAndRecordsWhatItPrints() throws Exception {
        Instant before = Instant.now();
        NodeProcess node = group.start(TestClassPath.echo().name("a").systemProperty("echo.greeting", "hello")
                .arguments("x", "y"));

        OutputLine ready = node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();

        assertThat(ready.text()).isEqualTo("ready " + node.pid() + " hello x,y");
        assertThat(ready.arrived()).isAfterOrEqualTo(before).isBeforeOrEqualTo(Instant.now());
        await().atMost(START).until(() -> node.errorLines().stream().map(OutputLine::text).toList(),
                lines -> lines.equals(List.of("err ready")));
        assertThat(node.isAlive()).isTrue();
        assertThat(node.exitCode()).isEmpty();
        assertThat(node).hasToString("a (pid " + node.pid() + ")");
    }

    @Test
    void aLineSentToStdinIsAnsweredAndAnExitCodeIsKept() throws Exception {
        NodeProcess node = group.start(TestClassPath.echo());
        assertThat(node.send("say hello there")).isTrue();

        assertThat(node.awaitLine("hello there"::equals, START)).isPresent();

        node.send("exit 3");
        assertThat(node.awaitExit(START)).isTrue();
        assertThat(node.exitCode()).hasValue(3);
        assertThat(node.awaitLine("never printed"::equals, START)).as("no wait once its output ended").isEmpty();
        assertThat(node.send("say too late")).isFalse();
    }

    @Test
    void stopFreezesTheProcessAndContLetsItRunOn() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/stat")), "reads the process state from /proc");
        NodeProcess node = group.start(TestClassPath.echo());
        node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();

        node.signal(Signal.STOP);

        assertThat(node.isPaused()).isTrue();
        await().atMost(START).until(() -> state(node.pid()), state -> state == 'T');
        node.send("say woke up");

        node.signal(Signal.CONT);

        assertThat(node.isPaused()).isFalse();
        assertThat(node.awaitLine("woke up"::equals, START)).as("what it was told while stopped").isPresent();
        assertThat(state(node.pid())).isNotEqualTo('T');
    }

    @Test
    void termRunsTheShutdownHooksAndWhatTheyPrintIsRead() throws Exception {
        NodeProcess node = group.start(TestClassPath.echo());
        node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();

        node.signal(Signal.TERM);

        assertThat(node.awaitExit(START)).isTrue();
        assertThat(node.exitCode()).hasValue(143);
        assertThat(node.lines()).map(OutputLine::text).endsWith("stopping 1", "stopping 2", "stopping 3");
        assertGone(node.pid());
    }

    @Test
    void killEndsItWithoutItsHooksAndThePidIsGone() throws Exception {
        NodeProcess node = group.start(TestClassPath.echo());
        node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();

        node.signal(Signal.KILL);

        assertThat(node.awaitExit(START)).isTrue();
        assertThat(node.exitCode()).hasValue(137);
        assertThat(node.lines()).map(OutputLine::text).noneMatch(line -> line.startsWith("stopping"));
        assertGone(node.pid());
    }

    @Test
    void killEndsAStoppedProcessToo() throws Exception {
        NodeProcess node = group.start(TestClassPath.echo());
        node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();
        node.pause();

        node.kill();

        assertThat(node.awaitExit(START)).isTrue();
        assertGone(node.pid());
    }

    @Test
    void stopTermsAStoppedProcessAfterWakingItAndItsHooksRun() throws Exception {
        NodeProcess node = group.start(TestClassPath.echo());
        node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();
        node.pause();

        assertThat(node.stop(START)).as("ended without KILL").isTrue();

        assertThat(node.exitCode()).hasValue(143);
        assertThat(node.lines()).map(OutputLine::text).contains("stopping 3");
        assertGone(node.pid());
    }

    @Test
    void stopKillsAProcessWhoseHooksDoNotEndWithinTheGrace() throws Exception {
        NodeProcess node = group.start(TestClassPath.echo().systemProperty("echo.hangOnTerm", "true"));
        node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();

        assertThat(node.stop(Duration.ofMillis(500))).as("ended without KILL").isFalse();

        assertThat(node.exitCode()).hasValue(137);
        assertThat(node.lines()).map(OutputLine::text).contains("stopping 3");
        assertGone(node.pid());
    }

    @Test
    void copiesGetAHeaderAndEveryLineOnceTheProcessHasEnded() throws Exception {
        Path out = files.resolve("a.out");
        Path err = files.resolve("a.log");
        Files.writeString(out, "an earlier run\n");
        NodeProcess node = group.start(TestClassPath.echo().name("node a").stdoutCopiedTo(out).stderrCopiedTo(err));
        node.send("say one");
        node.send("exit 0");

        assertThat(node.awaitExit(START)).isTrue();

        assertThat(Files.readAllLines(out)).containsExactly("an earlier run", "---- node a, pid " + node.pid(),
                "ready " + node.pid() + " null ", "one", "stopping 1", "stopping 2", "stopping 3");
        assertThat(Files.readAllLines(err)).containsExactly("---- node a, pid " + node.pid(), "err ready");
        assertThat(node.errorLines()).map(OutputLine::text).containsExactly("err ready");
    }

    @Test
    void mergedStderrIsReadAsStdout() throws Exception {
        NodeProcess node = group.start(TestClassPath.echo().stderrMergedIntoStdout());
        node.send("exit 0");

        assertThat(node.awaitExit(START)).isTrue();

        assertThat(node.lines()).map(OutputLine::text).contains("err ready");
        assertThat(node.errorLines()).isEmpty();
    }

    @Test
    void stderrAppendedToAFileIsNotRead() throws Exception {
        Path err = files.resolve("a.log");
        NodeProcess node = group.start(TestClassPath.echo().stderrAppendedTo(err));
        node.send("exit 0");

        assertThat(node.awaitExit(START)).isTrue();

        assertThat(Files.readAllLines(err)).containsExactly("err ready");
        assertThat(node.errorLines()).isEmpty();
        assertThat(node.lines()).map(OutputLine::text).doesNotContain("err ready");
    }

    @Test
    void listenersSeeEveryLineInOrderAndAFailingOneStopsNothing() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        NodeProcess node = group.start(TestClassPath.echo()
                .onStdout(line -> {
                    throw new IllegalStateException("a broken listener");
                })
                .onStdout(line -> seen.add(line.text())));
        node.send("say one");
        node.send("say two");
        node.send("exit 0");

        assertThat(node.onExit().get()).isSameAs(node);

        assertThat(seen).containsExactly("ready " + node.pid() + " null ", "one", "two", "stopping 1", "stopping 2",
                "stopping 3");
    }

    @Test
    void theEnvironmentCanBeChanged() throws Exception {
        NodeProcess node = group.start(NodeCommand.of("does.not.Exist").classPath(TestClassPath.of(EchoMain.class))
                .environment(environment -> environment.put("JAVA_TOOL_OPTIONS", "-Dfrom.environment=yes"))
                .stderrMergedIntoStdout());

        assertThat(node.awaitExit(START)).isTrue();

        assertThat(node.exitCode()).hasValue(1);
        assertThat(node.lines()).map(OutputLine::text)
                .contains("Picked up JAVA_TOOL_OPTIONS: -Dfrom.environment=yes")
                .anyMatch(line -> line.contains("does.not.Exist"));
    }

    /** @return the state letter of a process, from /proc (R, S, T: stopped, ...) */
    static char state(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 1).strip().charAt(0);
    }

    static void assertGone(long pid) {
        await().atMost(START).until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                alive -> !alive);
    }
}
