package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.sim.SimCluster;
import io.highlander.cdi.internal.sim.SimHistory;
import io.highlander.cdi.internal.sim.SimLink;
import io.highlander.cdi.internal.sim.SimPostgres;
import io.highlander.cdi.internal.sim.SimProcess;
import io.highlander.cdi.internal.sim.SimRun;
import io.highlander.cdi.internal.sim.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** The nodes of one simulation run, built from the real code ({@link SimNode}), as the fault injector sees them. */
final class SimNodes implements SimCluster, SimRun.ClusterFactory {

    /** The safety rules a run can switch off, to show what each one guards against. */
    enum Rule {
        /** A node leaves the locks it held on a session that ended to the others for a moment. */
        COURTESY,
        /** The watcher's looks: a node's end is told by the node before it in the ring. */
        WATCHER_LOOKS,
        /** Strict takeover waits L + m unless it saw the last term end cleanly. */
        STRICT_WAIT,
        /** The watcher drops a liveness-lock grant that stuck to a cancelled or timed-out wait. */
        STUCK_GRANT_DROP
    }

    /**
     * What a run's cluster looks like.
     *
     * @param nodes how many nodes
     * @param singletons how many singletons each node runs an election for
     * @param takeover fast or strict
     * @param placement first come or balanced
     * @param off the safety rules switched off
     * @param socketWaits whether node sessions read notices (false: heartbeat-only nodes)
     * @param lease L
     * @param anyClock whether a node's ticker may start anywhere, negative too (else positive, as on Linux)
     */
    record Setup(int nodes, int singletons, HighlanderSettings.Takeover takeover,
            HighlanderSettings.Placement placement, Set<Rule> off, boolean socketWaits, Duration lease,
            boolean anyClock) {

        HighlanderSettings settings(String nodeId) {
            return HighlanderSettings.builder().nodeId(nodeId).lease(lease).standbyInterval(lease.dividedBy(2))
                    .watcherWait(Duration.ofSeconds(3)).takeover(takeover).placement(placement)
                    .namespace(NAMESPACE).build();
        }

        List<String> singletonNames() {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < singletons; i++) {
                names.add("s" + i);
            }
            return names;
        }
    }

    static final int NAMESPACE = 0x48494c41;

    private final Setup setup;
    private final Map<String, SimProcess> processes = new LinkedHashMap<>();
    private final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private VirtualScheduler scheduler;
    private SimPostgres server;
    private SimHistory history;

    SimNodes(Setup setup) {
        this.setup = setup;
    }

    @Override
    public SimCluster build(VirtualScheduler scheduler, SimPostgres server, SimHistory history) {
        this.scheduler = scheduler;
        this.server = server;
        this.history = history;
        for (int i = 0; i < setup.nodes(); i++) {
            String name = String.valueOf((char) ('a' + i));
            processes.put(name, new SimProcess(scheduler, name));
            long startAt = scheduler.random().nextLong(0, 200_000_000L);
            scheduler.at(startAt, () -> startNode(name));
            history.able(name, true);
        }
        return this;
    }

    private void startNode(String name) {
        SimNode.Variant variant = variant(setup.settings(name));
        // System.nanoTime's origin is arbitrary: on Linux (CLOCK_MONOTONIC) the time since boot, positive; the
        // JVM allows any value, negative too (setup.anyClock)
        long clockOffset = setup.anyClock() ? scheduler.random().nextLong()
                : scheduler.random().nextLong(0, Long.MAX_VALUE / 2);
        SimNode node = new SimNode(scheduler, server, history, processes.get(name), setup.settings(name),
                setup.singletonNames(), variant, clockOffset);
        nodes.put(name, node);
        node.start();
    }

    private SimNode.Variant variant(HighlanderSettings settings) {
        NodeLoop.Policies policies = NodeLoop.Policies.of(settings);
        if (setup.off().contains(Rule.COURTESY)) {
            policies = policies.withoutCourtesy();
        }
        if (setup.off().contains(Rule.STRICT_WAIT)) {
            policies = policies.withoutStrictWait();
        }
        return new SimNode.Variant(policies, !setup.off().contains(Rule.WATCHER_LOOKS),
                !setup.off().contains(Rule.STUCK_GRANT_DROP), setup.socketWaits());
    }

    /** @return the running node of that name (a scripted scenario acts on it), or null */
    SimNode node(String name) {
        return nodes.get(name);
    }

    @Override
    public long lease() {
        return setup.lease().toNanos();
    }

    @Override
    public void close() {
        nodes.values().forEach(SimNode::close);
    }

    @Override
    public List<String> nodes() {
        return List.copyOf(processes.keySet());
    }

    @Override
    public SimProcess process(String node) {
        return processes.get(node);
    }

    @Override
    public void kill(String node, boolean hostAlive) {
        SimNode running = nodes.remove(node);
        if (running != null) {
            running.kill(hostAlive);
        } else {
            processes.get(node).kill(hostAlive);
        }
    }

    @Override
    public void restart(String node) {
        processes.get(node).restart();
        startNode(node);
    }

    @Override
    public List<Integer> sessions(String node) {
        SimNode running = nodes.get(node);
        return running == null ? List.of() : running.pids();
    }

    @Override
    public List<SimLink> links(String node) {
        SimNode running = nodes.get(node);
        return running == null ? List.of() : running.links();
    }

    @Override
    public List<String> forgeries(SplittableRandom random) {
        // finding (c) of issue 20: a term seen to begin and end cleanly, made of two NOTIFYs from any role
        String singleton = setup.singletonNames().get(random.nextInt(setup.singletons()));
        int key = LockKey.of(NAMESPACE, singleton).key();
        long token = random.nextLong(1, 1_000_000);
        return List.of(new Notice.Acquired(NAMESPACE, key, token).payload(),
                new Notice.Released(NAMESPACE, key, token, true).payload());
    }

    @Override
    public String stepDown(String node, SplittableRandom random) {
        SimNode running = nodes.get(node);
        return running == null ? null : running.stepDown();
    }

    @Override
    public String channel() {
        return LockSession.CHANNEL;
    }

    /** @return every fault kind */
    static Set<io.highlander.cdi.internal.sim.FaultInjector.Fault> allFaults() {
        return EnumSet.allOf(io.highlander.cdi.internal.sim.FaultInjector.Fault.class);
    }
}
