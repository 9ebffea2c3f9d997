package io.highlander.example.demo;

import io.highlander.example.Ticker;
import io.highlander.example.demo.NodeEvent.Kind;
import io.highlander.testing.processes.NodeCommand;
import io.highlander.testing.processes.NodeProcesses;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node JVMs, started from the demo's own class path with the example's main class; each one gets its
 * node id and lease as system properties and the database in its environment (so that no password shows
 * up in {@code ps}). Closing stops every node this cluster started, and nothing else (as does this JVM's exit:
 * the shared {@link NodeProcesses} group's shutdown hook).
 */
final class Cluster implements AutoCloseable {

    private final Database database;
    private final Duration lease;
    private final Duration tick;
    private final Timeline timeline;
    private final Path logs;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<Node> everStarted = new ArrayList<>();
    private final NodeProcesses processes;
    private boolean closed;

    Cluster(Database database, Duration lease, Duration tick, Timeline timeline, Path logs) {
        this.database = database;
        this.lease = lease;
        this.tick = tick;
        this.timeline = timeline;
        this.logs = logs;
        this.processes = new NodeProcesses("highlander-demo-nodes", lease.plusSeconds(5));
    }

    /** Starts (or restarts) the node with this id. */
    synchronized Node start(String id) throws IOException {
        if (closed) {
            throw new IllegalStateException("the demo is stopping");
        }
        NodeCommand command = NodeCommand.of(NodeMain.class)
                // a quick start and a small footprint: several of these share a 2-core laptop
                .jvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx96m")
                .systemProperty("highlander.node-id", id)
                .systemProperty("highlander.lease", lease.toMillis() + "ms")
                .systemProperty(Ticker.PERIOD_PROPERTY, Long.toString(tick.toMillis()))
                .systemProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %5$s%6$s%n")
                .environment(environment -> {
                    environment.keySet().removeIf(key -> key.startsWith("HIGHLANDER_"));
                    environment.put("HIGHLANDER_DATASOURCE_URL", database.url());
                    if (database.user() != null) {
                        environment.put("HIGHLANDER_DATASOURCE_USER", database.user());
                    }
                    if (database.password() != null) {
                        environment.put("HIGHLANDER_DATASOURCE_PASSWORD", database.password());
                    }
                });
        Node node = Node.start(id, command, processes, timeline, logs.resolve(id + ".log"));
        nodes.put(id, node);
        everStarted.add(node);
        return node;
    }

    synchronized Optional<Node> node(String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    synchronized List<Node> running() {
        return nodes.values().stream().filter(Node::alive).toList();
    }

    /** @return every process this cluster ever started, for their pids */
    synchronized List<Node> everStarted() {
        return List.copyOf(everStarted);
    }

    /**
     * Waits until the node says it is ready; fails with the node's own words if it ends first.
     *
     * @throws DemoException if it does not start
     */
    void awaitReady(Node node, int mark, Duration timeout) throws InterruptedException {
        Optional<NodeEvent> seen = timeline.await(mark, event -> event.node().equals(node.id())
                && (event.kind() == Kind.READY || event.kind() == Kind.EXIT), timeout);
        if (seen.isEmpty()) {
            throw new DemoException("node " + node.id() + " did not start within " + timeout.toSeconds()
                    + " s; see " + logs.resolve(node.id() + ".log"));
        }
        if (seen.get().kind() == Kind.EXIT) {
            String problem = node.lastProblem();
            throw new DemoException("node " + node.id() + " could not start"
                    + (problem.isEmpty() ? "; see " + logs.resolve(node.id() + ".log") : ": " + problem));
        }
    }

    /**
     * Stops every node this cluster started: SIGTERM to all (a frozen one is woken first), then SIGKILL
     * for whatever has not ended within the lease and a few seconds. Idempotent.
     */
    @Override
    public void close() {
        List<Node> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(everStarted);
        }
        processes.close();
        for (Node node : all) {
            try {
                node.awaitExit(Duration.ofSeconds(2)); // its exit on the timeline, after its last words
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
