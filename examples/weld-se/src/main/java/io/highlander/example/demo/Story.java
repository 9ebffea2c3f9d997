package io.highlander.example.demo;

import io.highlander.example.demo.Failover.Fault;
import io.highlander.example.demo.NodeEvent.Kind;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The scripted run: nodes start and one leads; then the leader is stopped, the next one killed, the next
 * one frozen past its lease and woken; each time the story waits for the next leader and measures the
 * time from the signal to the new leader's {@code @PostConstruct}. Stopped and killed nodes rejoin, so
 * that the cluster keeps its size.
 */
final class Story {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Cluster cluster;
    private final Timeline timeline;
    private final Terminal terminal;
    private final List<String> ids;
    private final Duration lease;
    private final Duration tick;
    private final List<Failover> failovers = new ArrayList<>();

    Story(Cluster cluster, Timeline timeline, Terminal terminal, List<String> ids, Duration lease, Duration tick) {
        this.cluster = cluster;
        this.timeline = timeline;
        this.terminal = terminal;
        this.ids = ids;
        this.lease = lease;
        this.tick = tick;
    }

    /** Starts the nodes and waits until they are up and one leads. */
    void startNodes() throws IOException, InterruptedException {
        terminal.section("Starting " + ids.size() + " node" + (ids.size() == 1 ? "" : "s")
                + " (separate JVMs running the example app)");
        int mark = timeline.mark();
        List<Node> started = new ArrayList<>();
        for (String id : ids) {
            started.add(cluster.start(id));
        }
        for (Node node : started) {
            cluster.awaitReady(node, mark, START_TIMEOUT);
        }
        if (timeline.await(mark, event -> event.kind() == Kind.START, START_TIMEOUT).isEmpty()) {
            throw new DemoException("no node became leader within " + START_TIMEOUT.toSeconds() + " s");
        }
    }

    /** @return the three failovers, or fewer if one did not happen */
    List<Failover> run() throws IOException, InterruptedException {
        startNodes();
        for (Fault fault : Fault.values()) {
            pause(tick.multipliedBy(3)); // let the leader tick a little
            if (!failover(fault)) {
                break;
            }
        }
        pause(tick.multipliedBy(2));
        terminal.section("Stopping every node");
        stopAll();
        return List.copyOf(failovers);
    }

    /** Standbys first, so that none of them takes over from the leader only to stop again. */
    private void stopAll() throws InterruptedException {
        String leader = currentLeader().node();
        List<Node> standbys = cluster.running().stream().filter(node -> !node.id().equals(leader)).toList();
        standbys.forEach(Node::terminate);
        for (Node node : standbys) {
            node.awaitExit(lease.plusSeconds(5));
        }
        Optional<Node> last = cluster.node(leader);
        if (last.isPresent()) {
            last.get().terminate();
            last.get().awaitExit(lease.plusSeconds(5));
        }
    }

    private boolean failover(Fault fault) throws IOException, InterruptedException {
        NodeEvent leading = currentLeader();
        Node leader = cluster.node(leading.node()).orElseThrow();
        boolean alone = cluster.running().size() == 1;
        terminal.section((failovers.size() + 1) + ". " + title(fault));
        int mark = timeline.mark();
        long at = NodeEvent.now();
        String signal = send(fault, leader);
        terminal.event(at, "demo", Terminal.bold(signal + " -> " + leader));
        terminal.event(NodeEvent.now(), "demo", Terminal.faint(explanation(fault, alone)));
        if (alone && fault != Fault.FREEZE) {
            rejoin(leader, mark, signal); // a one-node cluster: the next leader is the same node, restarted
        }
        Duration timeout = (fault == Fault.FREEZE ? lease.multipliedBy(3) : Duration.ZERO).plus(START_TIMEOUT);
        if (alone && fault == Fault.FREEZE) {
            pause(lease.plus(lease.dividedBy(2)));
            wake(leader);
        }
        Optional<NodeEvent> next = timeline.await(mark,
                event -> event.kind() == Kind.START && event.token() > leading.token(), timeout);
        if (next.isEmpty()) {
            failovers.add(new Failover(fault, leading.node(), leading.token(), at, null, -1, -1, -1, alone));
            terminal.event(NodeEvent.now(), "demo", Terminal.bad("no new leader within " + timeout.toSeconds() + " s"));
            return false;
        }
        failovers.add(new Failover(fault, leading.node(), leading.token(), at, next.get().node(), next.get().token(),
                lockedAt(next.get()), next.get().micros(), alone));
        terminal.event(NodeEvent.now(), "demo", "failover " + leading.node() + " -> " + next.get().node() + " in "
                + Terminal.bold(Terminal.duration(next.get().micros() - at)) + " after " + signal);
        if (!alone && fault != Fault.FREEZE) {
            rejoin(leader, mark, signal);
        }
        if (!alone && fault == Fault.FREEZE) {
            pause(tick.multipliedBy(3)); // the new leader ticks while the old one is still frozen
            int wakeMark = timeline.mark();
            wake(leader);
            Optional<NodeEvent> lost = timeline.await(wakeMark, event -> event.node().equals(leader.id())
                    && event.kind() == Kind.LOST, lease.plusSeconds(15));
            if (lost.isEmpty()) {
                throw new DemoException(leader + " did not step down within " + lease.plusSeconds(15).toSeconds()
                        + " s of waking up");
            }
        }
        return true;
    }

    private String title(Fault fault) {
        return switch (fault) {
            case STOP -> "Stop the leader gracefully (SIGTERM), as a redeploy would";
            case KILL -> "Crash the leader (SIGKILL)";
            case FREEZE -> "Freeze the leader (SIGSTOP) past its lease of " + Terminal.setting(lease)
                    + ", then wake it (SIGCONT)";
        };
    }

    private static String send(Fault fault, Node leader) throws IOException, InterruptedException {
        switch (fault) {
            case STOP -> leader.terminate();
            case KILL -> leader.kill();
            case FREEZE -> leader.freeze();
        }
        return switch (fault) {
            case STOP -> "SIGTERM";
            case KILL -> "SIGKILL";
            case FREEZE -> "SIGSTOP";
        };
    }

    private static String explanation(Fault fault, boolean alone) {
        if (alone) {
            return switch (fault) {
                case STOP -> "its shutdown hook stops the ticker, then unlocks; no standby waits, so the demo restarts"
                        + " the only node, which takes the lock again";
                case KILL -> "no hook runs; the kernel closes its socket, PostgreSQL frees the lock; no standby waits,"
                        + " so the demo restarts the only node";
                case FREEZE -> "its threads stop but its socket stays open; PostgreSQL ends the session once it has been"
                        + " idle for the lease; no standby waits, so the demo wakes the node after 1.5 leases";
            };
        }
        return switch (fault) {
            case STOP -> "its shutdown hook stops the ticker, then unlocks and tells the other nodes, which try the"
                    + " lock at once";
            case KILL -> "no hook runs; the kernel closes its socket, so PostgreSQL ends its session and frees the lock;"
                    + " a standby's watcher sees it gone and tells the others, which try the lock at once";
            case FREEZE -> "its threads stop but its socket stays open; PostgreSQL ends the session once it has been"
                    + " idle for the lease (idle_session_timeout)";
        };
    }

    private void wake(Node node) {
        terminal.event(NodeEvent.now(), "demo", Terminal.bold("SIGCONT -> " + node));
        terminal.event(NodeEvent.now(), "demo", Terminal.faint("it wakes up still holding an instance, but its own"
                + " lease ran out while it was frozen: it must not tick"));
        node.resume();
    }

    /** Once the old process has ended, starts a new one with the same node id. */
    private void rejoin(Node old, int faultMark, String signal) throws IOException, InterruptedException {
        Duration bound = lease.plusSeconds(10);
        if (timeline.await(faultMark, event -> event.node().equals(old.id()) && event.kind() == Kind.EXIT, bound)
                .isEmpty()) {
            throw new DemoException(old + " did not end within " + bound.toSeconds() + " s of " + signal);
        }
        int mark = timeline.mark();
        terminal.event(NodeEvent.now(), "demo", "restarting node " + old.id()
                + (cluster.running().isEmpty() ? " (the only one)" : "; it rejoins as a standby"));
        Node node = cluster.start(old.id());
        cluster.awaitReady(node, mark, START_TIMEOUT);
    }

    /** @return when the new leader took the lock, as its LeadershipAcquired event says, or -1 */
    private long lockedAt(NodeEvent start) throws InterruptedException {
        return timeline.await(0, event -> event.kind() == Kind.ACQUIRED && event.token() == start.token(),
                        Duration.ofSeconds(5))
                .map(acquired -> {
                    try {
                        return NodeEvent.micros(Instant.parse(acquired.detail()));
                    } catch (DateTimeException e) {
                        return -1L;
                    }
                }).orElse(-1L);
    }

    /** The latest term that started: the node with the highest fencing token. */
    private NodeEvent currentLeader() {
        return timeline.events().stream().filter(event -> event.kind() == Kind.START)
                .max(Comparator.comparingLong(NodeEvent::token))
                .orElseThrow(() -> new DemoException("no node leads"));
    }

    private static void pause(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
