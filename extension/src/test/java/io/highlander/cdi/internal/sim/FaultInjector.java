package io.highlander.cdi.internal.sim;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Plans a run's faults from its seed and plays them on a {@link SimCluster}, the {@link SimPostgres} and the links,
 * recording each in the {@link SimHistory} (a fault's start and end restart the liveness count; a freeze or a kill
 * makes a node unable to act; a session the server ends on its own opens fast mode's allowance). Faults happen only
 * in the first part of a run; the rest is quiet, so that every run also checks that the cluster settles.
 */
public final class FaultInjector {

    /** The faults a run may contain. */
    public enum Fault {
        /** kill -9 on a live host (FIN), then a restart of the node. */
        KILL,
        /** kill -9 of a host that vanishes (no FIN: the server ends the sessions at L), then a restart. */
        HOST_DEATH,
        /** SIGSTOP for less than the lease. */
        FREEZE_SHORT,
        /** SIGSTOP for longer than the lease. */
        FREEZE_LONG,
        /** {@code pg_terminate_backend} of a node's session (node session or watcher). */
        TERMINATE,
        /** A fast restart of the server. */
        RESTART,
        /** A crash of the server (immediate restart). */
        CRASH,
        /** A partition between one node and the server, healed later. */
        CUT,
        /** For a while, notices to one node are delayed. */
        DELAY_NOTICES,
        /** For a while, notices to one node are dropped (more than PostgreSQL ever does). */
        DROP_NOTICES,
        /** For a while, notices to one node arrive twice. */
        DUPLICATE_NOTICES,
        /** For a while, every statement step takes up to a few hundred ms. */
        SLOW_STATEMENTS,
        /** A rogue session sends notices of its own making. */
        FORGE_NOTICES,
        /** A node steps down from one singleton it leads (a graceful stop; its {@code @PreDestroy} may be slow). */
        STEP_DOWN
    }

    private final VirtualScheduler scheduler;
    private final SimPostgres server;
    private final SimCluster cluster;
    private final SimHistory history;
    private final long lease;

    /**
     * @param lease the nodes' lease L, ns (freezes are planned below and beyond it)
     */
    public FaultInjector(VirtualScheduler scheduler, SimPostgres server, SimCluster cluster, SimHistory history,
            long lease) {
        this.scheduler = scheduler;
        this.server = server;
        this.cluster = cluster;
        this.history = history;
        this.lease = lease;
    }

    /**
     * Plans {@code count} faults of the enabled kinds at random times in [from, until).
     *
     * @return what was planned, for the report
     */
    public List<String> plan(Set<Fault> enabled, int count, long from, long until) {
        List<Fault> kinds = new ArrayList<>(enabled.isEmpty() ? EnumSet.noneOf(Fault.class) : enabled);
        List<String> planned = new ArrayList<>();
        SplittableRandom random = scheduler.random();
        for (int i = 0; i < count && !kinds.isEmpty(); i++) {
            Fault fault = kinds.get(random.nextInt(kinds.size()));
            long at = random.nextLong(from, until);
            String node = cluster.nodes().get(random.nextInt(cluster.nodes().size()));
            planned.add(SimHistory.ms(at) + " " + fault + " " + node);
            scheduler.at(at, () -> play(fault, node, random));
        }
        return planned;
    }

    private void play(Fault fault, String node, SplittableRandom random) {
        SimProcess process = cluster.process(node);
        switch (fault) {
            case KILL, HOST_DEATH -> {
                if (process.dead()) {
                    return;
                }
                history.fault(fault + " " + node);
                history.able(node, false);
                cluster.kill(node, fault == Fault.KILL);
                if (fault == Fault.HOST_DEATH) {
                    history.cut(node, true); // its sessions linger, unreachable, until a server-side timeout
                }
                long back = random.nextLong(lease / 10, 2 * lease);
                scheduler.after(back, () -> {
                    history.fault("restart " + node);
                    history.cut(node, false);
                    cluster.restart(node);
                    history.able(node, true);
                });
            }
            case FREEZE_SHORT, FREEZE_LONG -> {
                if (process.dead() || process.frozen()) {
                    return;
                }
                long length = fault == Fault.FREEZE_SHORT ? random.nextLong(lease / 5, lease * 4 / 5)
                        : random.nextLong(lease * 6 / 5, lease * 3);
                history.fault(fault + " " + node + " for " + SimHistory.ms(length));
                history.able(node, false);
                process.freeze();
                scheduler.after(length, () -> {
                    if (!process.dead() && process.frozen()) {
                        history.fault("thaw " + node);
                        history.able(node, true);
                        process.thaw();
                    }
                });
            }
            case TERMINATE -> {
                List<Integer> pids = cluster.sessions(node);
                if (pids.isEmpty()) {
                    return;
                }
                int pid = pids.get(random.nextInt(pids.size()));
                history.fault("pg_terminate_backend(" + pid + ") of " + node);
                if (pid == pids.get(0)) {
                    history.serverEndedSession(node);
                }
                server.terminateBackend(pid);
            }
            case RESTART, CRASH -> {
                if (!server.up()) {
                    return;
                }
                long down = random.nextLong(50_000_000L, 400_000_000L);
                history.fault(fault + " of the server, down " + SimHistory.ms(down));
                for (String n : cluster.nodes()) {
                    if (!cluster.sessions(n).isEmpty()) {
                        history.serverEndedSession(n);
                    }
                }
                server.restart(fault == Fault.CRASH, down);
                scheduler.after(down, () -> history.fault("server up"));
            }
            case CUT -> {
                List<SimLink> links = cluster.links(node);
                long length = random.nextLong(lease / 10, lease * 2);
                history.fault("cut " + node + " for " + SimHistory.ms(length));
                history.cut(node, true);
                links.forEach(SimLink::cut);
                scheduler.after(length, () -> {
                    history.fault("heal " + node);
                    history.cut(node, false);
                    links.forEach(SimLink::heal);
                });
            }
            case DELAY_NOTICES, DROP_NOTICES, DUPLICATE_NOTICES -> {
                List<SimLink> links = cluster.links(node);
                long length = random.nextLong(lease / 10, lease);
                history.fault(fault + " to " + node + " for " + SimHistory.ms(length));
                SimLink.NoticeFault noticeFault = switch (fault) {
                    case DELAY_NOTICES -> n -> new long[] {1 + random.nextLong(lease / 2)};
                    case DROP_NOTICES -> n -> random.nextBoolean() ? new long[0] : new long[] {0};
                    default -> n -> new long[] {0, 1 + random.nextLong(lease / 10)};
                };
                links.forEach(l -> l.noticeFault(noticeFault));
                scheduler.after(length, () -> {
                    history.fault(fault + " to " + node + " over");
                    links.forEach(l -> l.noticeFault(null));
                });
            }
            case SLOW_STATEMENTS -> {
                long length = random.nextLong(lease / 10, lease);
                long worst = random.nextLong(1_000_000L, Math.max(2_000_000L, lease / 3));
                history.fault("slow statements (up to " + SimHistory.ms(worst) + " a step) for "
                        + SimHistory.ms(length));
                server.stepLatency(() -> random.nextInt(4) == 0 ? random.nextLong(worst) : 0);
                scheduler.after(length, () -> {
                    history.fault("statements fast again");
                    server.stepLatency(() -> 0);
                });
            }
            case FORGE_NOTICES -> forge(random);
            case STEP_DOWN -> {
                String which = cluster.stepDown(node, random);
                if (which != null) {
                    history.fault("step-down of " + which + " on " + node);
                }
            }
        }
    }

    private void forge(SplittableRandom random) {
        List<String> payloads = cluster.forgeries(random);
        if (payloads.isEmpty() || !server.up()) {
            return;
        }
        history.fault("forged notices " + payloads);
        ClientEnd deaf = new ClientEnd() {
            @Override
            public void notification(Notification notification) {
            }

            @Override
            public void result(List<Object> values, SqlError error) {
            }

            @Override
            public void terminated(SqlError why) {
            }
        };
        Backend rogue = server.connect(deaf);
        List<Step> steps = new ArrayList<>();
        for (String payload : payloads) {
            steps.add(new Step.Notify(cluster.channel(), payload));
        }
        rogue.submit(steps);
        rogue.clientClosed();
    }
}
