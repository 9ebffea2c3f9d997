package io.highlander.testing.processes;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes one test, scenario or demo started, so that none is left behind: closing the group stops every
 * process it started that still runs, and so does this JVM's exit if the group was not closed (a shutdown hook).
 * Stopping is all at once: with a grace period, CONT and TERM to every live process, one shared deadline for their
 * shutdown hooks, then KILL for the rest; with {@link Duration#ZERO}, KILL at once. Only the processes this group
 * started are signalled, each by its PID.
 */
public final class NodeProcesses implements AutoCloseable {

    private final String name;
    private final Duration grace;
    private final List<NodeProcess> started = new ArrayList<>();
    private final Thread stopAtExit;
    private final Object closing = new Object();
    private boolean closed;

    /**
     * @param name  names the shutdown hook's thread ({@code <name>-stop-at-exit})
     * @param grace how long the processes' shutdown hooks may take when the group closes, before KILL; {@link
     *              Duration#ZERO} kills them at once
     */
    public NodeProcesses(String name, Duration grace) {
        this.name = name;
        this.grace = grace;
        this.stopAtExit = new Thread(this::stopAll, name + "-stop-at-exit");
        Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /**
     * Starts a process of this group.
     *
     * @param command what to start (a snapshot of it is taken)
     * @return the process, whose output is being read already
     * @throws IllegalStateException if the group is closed
     */
    public NodeProcess start(NodeCommand command) throws IOException {
        NodeCommand.Snapshot snapshot = command.snapshot();
        synchronized (started) {
            // under the lock: a process started while the group closes would be missed by close()
            if (closed) {
                throw new IllegalStateException("the node processes of " + name + " are closed");
            }
            NodeProcess process = NodeProcess.start(snapshot);
            started.add(process);
            return process;
        }
    }

    /** @return every process this group started, in order, running or not */
    public List<NodeProcess> started() {
        synchronized (started) {
            return List.copyOf(started);
        }
    }

    /** @return the processes of this group that still run */
    public List<NodeProcess> alive() {
        return started().stream().filter(NodeProcess::isAlive).toList();
    }

    /**
     * Stops every process of this group that still runs (see the class's description) and waits, bounded, until
     * each is gone and its output read. Idempotent; a second caller (the shutdown hook) waits for the first.
     */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException e) {
            // this JVM is exiting: the hook runs (or ran) anyway
        }
    }

    private void stopAll() {
        synchronized (closing) {
            List<NodeProcess> all;
            synchronized (started) {
                if (closed) {
                    return;
                }
                closed = true;
                all = List.copyOf(started);
            }
            List<NodeProcess> alive = all.stream().filter(NodeProcess::isAlive).toList();
            boolean interrupted = false;
            try {
                if (!grace.isZero() && !grace.isNegative()) {
                    for (NodeProcess process : alive) {
                        process.askToStop();
                    }
                    long deadline = System.nanoTime() + grace.toNanos();
                    for (NodeProcess process : alive) {
                        process.awaitExit(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                    }
                }
            } catch (InterruptedException e) {
                interrupted = true; // no more grace: kill what is left
            }
            alive.stream().filter(NodeProcess::isAlive).forEach(NodeProcess::kill);
            long deadline = System.nanoTime() + NodeProcess.KILL_BOUND.toNanos();
            for (NodeProcess process : alive) {
                try {
                    process.awaitExit(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "NodeProcesses[" + name + ", " + started().size() + " started]";
    }
}
