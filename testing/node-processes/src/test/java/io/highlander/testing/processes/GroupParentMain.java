package io.highlander.testing.processes;

import java.time.Duration;

/**
 * A JVM that starts an {@link EchoMain} child which outlives its stdin in a {@link NodeProcesses} group, prints
 * {@code child <pid>}, and exits on its first line of input without closing the group: only the group's shutdown
 * hook can end the child.
 */
public final class GroupParentMain {

    private GroupParentMain() {
    }

    public static void main(String[] args) throws Exception {
        NodeProcesses group = new NodeProcesses("parent", Duration.ofSeconds(Long.parseLong(args[0])));
        NodeProcess child = group.start(NodeCommand.of(EchoMain.class).name("child")
                .systemProperty("echo.outliveInput", "true"));
        child.awaitLine(line -> line.startsWith("ready "), Duration.ofSeconds(60)).orElseThrow();
        System.out.println("child " + child.pid());
        System.in.read();
        System.exit(0);
    }
}
