package io.highlander.testing.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeProcessesTest {

    private static final Duration START = Duration.ofSeconds(60);

    @Test
    void closeTermsEveryProcessItStartedAStoppedOneToo() throws Exception {
        NodeProcesses group = new NodeProcesses("close-test", START);
        NodeProcess running = group.start(TestClassPath.echo().name("running"));
        NodeProcess stopped = group.start(TestClassPath.echo().name("stopped"));
        for (NodeProcess node : List.of(running, stopped)) {
            node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();
        }
        stopped.pause();

        group.close();

        for (NodeProcess node : List.of(running, stopped)) {
            assertThat(node.exitCode()).as("%s", node).hasValue(143);
            assertThat(node.lines()).as("%s ran its hooks", node).map(OutputLine::text).contains("stopping 3");
            NodeProcessTest.assertGone(node.pid());
        }
        assertThat(group.alive()).isEmpty();
        assertThat(group.started()).containsExactly(running, stopped);
    }

    @Test
    void closeWithoutGraceKills() throws Exception {
        NodeProcesses group = new NodeProcesses("kill-test", Duration.ZERO);
        NodeProcess node = group.start(TestClassPath.echo());
        node.awaitLine(line -> line.startsWith("ready "), START).orElseThrow();

        group.close();
        group.close();

        assertThat(node.exitCode()).hasValue(137);
        NodeProcessTest.assertGone(node.pid());
    }

    @Test
    void aClosedGroupStartsNothing() {
        NodeProcesses group = new NodeProcesses("closed-test", Duration.ZERO);
        group.close();

        assertThatThrownBy(() -> group.start(TestClassPath.echo())).isInstanceOf(IllegalStateException.class);
        assertThat(group.started()).isEmpty();
    }

    @Test
    void whenItsJvmExitsWithoutClosingTheGroupItsShutdownHookStopsTheProcesses() throws Exception {
        try (NodeProcesses group = new NodeProcesses("hook-test", Duration.ZERO)) {
            NodeProcess parent = group.start(NodeCommand.of(GroupParentMain.class)
                    .classPath(TestClassPath.of(NodeProcesses.class, GroupParentMain.class)).arguments("30"));
            long child = Long.parseLong(parent.awaitLine(line -> line.startsWith("child "), START).orElseThrow()
                    .text().substring("child ".length()));
            try {
                parent.send("exit");

                assertThat(parent.awaitExit(START)).isTrue();
                assertThat(parent.exitCode()).hasValue(0);
                NodeProcessTest.assertGone(child);
            } finally {
                ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly); // if the hook failed
            }
        }
    }
}
