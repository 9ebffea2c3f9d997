/**
 * Node processes for tests, the demo and the benchmarks: a {@link io.highlander.testing.processes.NodeCommand}
 * says which JVM to start (this JVM's {@code java}, a class path, a main class, system properties, arguments);
 * a {@link io.highlander.testing.processes.NodeProcesses} group starts it and stops everything it started when it
 * closes, or when this JVM exits without closing it; the {@link io.highlander.testing.processes.NodeProcess}
 * records what the process prints, line by line with the instant each line arrived, and signals it by its PID.
 * <pre>{@code
 * try (NodeProcesses nodes = new NodeProcesses("faults", Duration.ofSeconds(5))) {
 *     NodeProcess a = nodes.start(NodeCommand.of(NodeMain.class).name("a").systemProperty("highlander.node-id", "a"));
 *     a.awaitLine(line -> line.startsWith("READY"), Duration.ofSeconds(60)).orElseThrow();
 *     a.signal(Signal.KILL);
 * }
 * }</pre>
 * Nothing here but the JDK. Signals go to one PID each, never to a name or a group.
 */
package io.highlander.testing.processes;
