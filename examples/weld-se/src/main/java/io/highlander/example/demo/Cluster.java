package io.highlander.example.demo;

import io.highlander.example.Ticker;
import io.highlander.example.demo.NodeEvent.Kind;
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
 * up in {@code ps}). Closing stops every node this cluster started, and nothing else.
 */
final class Cluster implements AutoCloseable {

    private final Database database;
    private final Duration lease;
    private final Duration tick;
    private final Timeline timeline;
    private final Path logs;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<Node> everStarted = new ArrayList<>();
    private boolean closed;

    Cluster(Database database, Duration lease, Duration tick, Timeline timeline, Path logs) {
        this.database = database;
        this.lease = lease;
        this.tick = tick;
        this.timeline = timeline;
        this.logs = logs;
    }

    /** Starts (or restarts) the node with this id. */
    synchronized Node start(String id) throws IOException {
        if (closed) {
            throw new IllegalStateException("the demo is stopping");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a quick start and a small footprint: several of these share a 2-core laptop
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx96m",
                "-Dhighlander.node-id=" + id,
                "-Dhighlander.lease=" + lease.toMillis() + "ms",
                "-D" + Ticker.PERIOD_PROPERTY + "=" + tick.toMillis(),
                "-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %5$s%6$s%n",
                "-cp", System.getProperty("java.class.path"),
                NodeMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("HIGHLANDER_"));
        environment.put("HIGHLANDER_DATASOURCE_URL", database.url());
        if (database.user() != null) {
            environment.put("HIGHLANDER_DATASOURCE_USER", database.user());
        }
        if (database.password() != null) {
            environment.put("HIGHLANDER_DATASOURCE_PASSWORD", database.password());
        }
        Node node = Node.start(id, builder, timeline, logs.resolve(id + ".log"));
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
        all.forEach(Node::terminate);
        long deadline = System.nanoTime() + lease.plusSeconds(5).toNanos();
        for (Node node : all) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!node.awaitExit(Duration.ofNanos(left))) {
                    node.kill();
                    node.awaitExit(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                node.kill();
            }
        }
    }
}
