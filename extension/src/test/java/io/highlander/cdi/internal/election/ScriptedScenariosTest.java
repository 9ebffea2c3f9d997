package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.sim.Backend;
import io.highlander.cdi.internal.sim.ClientEnd;
import io.highlander.cdi.internal.sim.Notification;
import io.highlander.cdi.internal.sim.SimHistory;
import io.highlander.cdi.internal.sim.SimInvariants;
import io.highlander.cdi.internal.sim.SimPostgres;
import io.highlander.cdi.internal.sim.SqlError;
import io.highlander.cdi.internal.sim.Step;
import io.highlander.cdi.internal.sim.VirtualScheduler;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two split brains of issue 20 as scripted runs (a fixed fault plan, not a random one) on the real node loop:
 * each must keep the promises with every rule on, and the strict one must break them with strict mode's wait off,
 * which shows that the run can fail.
 */
@ExtendWith(QuietLibraryLogs.class)
class ScriptedScenariosTest {

    private static final long MS = 1_000_000L;
    private static final Duration LEASE = Duration.ofSeconds(1);

    /** A cluster of two nodes with two singletons, run for 10 s, with {@code script} played at 3 s. */
    private static List<String> run(long seed, HighlanderSettings.Takeover takeover, Set<SimNodes.Rule> off,
            Script script) {
        VirtualScheduler scheduler = new VirtualScheduler(seed);
        SimPostgres server = new SimPostgres(scheduler);
        SimHistory history = new SimHistory(scheduler);
        SimNodes.Setup setup = new SimNodes.Setup(2, 2, takeover, HighlanderSettings.Placement.FIRST_COME, off,
                true, LEASE, false);
        SimNodes nodes = new SimNodes(setup);
        try {
            nodes.build(scheduler, server, history);
            scheduler.at(3000 * MS, () -> script.play(scheduler, server, history, nodes));
            scheduler.runUntil(10_000 * MS);
            long margin = setup.settings("x").stopMargin().toNanos();
            boolean strict = takeover == HighlanderSettings.Takeover.STRICT;
            SimInvariants invariants = new SimInvariants(strict, 20 * MS + margin, LEASE.toNanos() + margin,
                    2 * margin, 6 * LEASE.toNanos(), margin, new LinkedHashSet<>(setup.singletonNames()));
            List<String> broken = invariants.check(history, 10_000 * MS);
            return broken;
        } finally {
            nodes.close();
        }
    }

    /** A fixed fault plan, played at 3 s. */
    interface Script {
        void play(VirtualScheduler scheduler, SimPostgres server, SimHistory history, SimNodes nodes);
    }

    /** @return the node that runs an instance of {@code singleton} now */
    private static String leaderOf(SimHistory history, String singleton) {
        String leader = null;
        for (SimHistory.Instance instance : history.instances()) {
            if (instance.toString().startsWith(singleton + "@") && instance.toString().endsWith("…)")) {
                leader = instance.toString().substring(singleton.length() + 1, singleton.length() + 2);
            }
        }
        return leader;
    }

    /**
     * Fast mode, issue 20's first finding: the leader of s0 and s1 steps s0 down with a {@code @PreDestroy} of 3 s,
     * and 300 ms later the server ends its node session; the other node takes s1 at once; the old leader must stop s1
     * within fast mode's allowance although a stop is running.
     */
    @Test
    void fastModeHearsItsSessionEndWhileAnotherSingletonStops() {
        int[] played = {0};
        for (long seed = 1; seed <= 20; seed++) {
            List<String> broken = run(seed, HighlanderSettings.Takeover.FAST, EnumSet.noneOf(SimNodes.Rule.class),
                    (scheduler, server, history, nodes) -> {
                        String leader = leaderOf(history, "s0");
                        if (leader == null || !leader.equals(leaderOf(history, "s1"))) {
                            return; // this seed placed them apart: nothing to stop while the session ends
                        }
                        played[0]++;
                        SimNode node = nodes.node(leader);
                        node.forceStop("s0", 3000 * MS);
                        history.fault("step-down of s0 on " + leader + " (3 s @PreDestroy)");
                        node.stepDown("s0");
                        scheduler.after(300 * MS, () -> {
                            history.fault("pg_terminate_backend of " + leader + "'s node session");
                            history.serverEndedSession(leader);
                            server.terminateBackend(node.pids().get(0));
                        });
                    });
            assertThat(broken).as("seed %d", seed).isEmpty();
        }
        assertThat(played[0]).as("seeds in which one node led both singletons at 3 s").isGreaterThan(10);
    }

    /**
     * Strict mode, issue 20's second finding (form c): the leader's session is killed and a session of any role
     * sends {@code acquired k t} and {@code released k t} for its singletons; the standby must still wait L + m.
     */
    @Test
    void strictModeIgnoresAForgedCleanTermAfterAKilledLeaderSession() {
        Script forge = (scheduler, server, history, nodes) -> {
            String leader = leaderOf(history, "s0");
            if (leader == null) {
                return;
            }
            history.fault("pg_terminate_backend of " + leader + "'s node session, then a forged clean term");
            history.serverEndedSession(leader);
            // the leader cannot hear the end for 200 ms (its process is frozen; its instance still counts as running,
            // as a slow loop's would): the case strict mode exists for
            nodes.process(leader).freeze();
            server.terminateBackend(nodes.node(leader).pids().get(0));
            scheduler.after(200 * MS, () -> nodes.process(leader).thaw());
            Backend rogue = server.connect(new Deaf());
            List<Step> notices = new java.util.ArrayList<>();
            for (String singleton : List.of("s0", "s1")) {
                int key = LockKey.of(SimNodes.NAMESPACE, singleton).key();
                notices.add(new Step.Notify(LockSession.CHANNEL, new Notice.Acquired(SimNodes.NAMESPACE, key,
                        999).payload()));
                notices.add(new Step.Notify(LockSession.CHANNEL, new Notice.Released(SimNodes.NAMESPACE, key,
                        999, true).payload()));
            }
            scheduler.after(1 * MS, () -> rogue.submit(notices));
        };
        int failedWithoutTheWait = 0;
        for (long seed = 1; seed <= 20; seed++) {
            assertThat(run(seed, HighlanderSettings.Takeover.STRICT, EnumSet.noneOf(SimNodes.Rule.class), forge))
                    .as("seed %d", seed).isEmpty();
            if (!run(seed, HighlanderSettings.Takeover.STRICT, EnumSet.of(SimNodes.Rule.STRICT_WAIT), forge)
                    .isEmpty()) {
                failedWithoutTheWait++;
            }
        }
        assertThat(failedWithoutTheWait).as("runs that broke a promise with strict mode's wait off").isPositive();
    }

    private static final class Deaf implements ClientEnd {
        @Override
        public void notification(Notification notification) {
        }

        @Override
        public void result(List<Object> values, SqlError error) {
        }

        @Override
        public void terminated(SqlError why) {
        }
    }
}
