package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.WatcherStatements;
import io.highlander.cdi.internal.sim.SimHistory;
import io.highlander.cdi.internal.sim.SimLink;
import io.highlander.cdi.internal.sim.SimPostgres;
import io.highlander.cdi.internal.sim.SimProcess;
import io.highlander.cdi.internal.sim.SimSessions;
import io.highlander.cdi.internal.sim.SimThread;
import io.highlander.cdi.internal.sim.VirtualScheduler;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * One node of a simulation, built from the real code: a {@link NodeLoop} with one real {@link Election} per
 * singleton and a real {@link WatcherLoop}, on the simulated server ({@link SimSessions}). It replaces only the
 * threads: the loop's driver and the watcher's driver are {@link SimThread}s that do what {@code NodeSession}'s and
 * {@link Watcher}'s threads do (step, then wait until the step's time or an event), and the lease watchdog's
 * tasks and the instances' {@code @PostConstruct}/{@code @PreDestroy} are timed actions of the node's
 * {@link SimProcess}. Follows SIM-CONTRACT.md of i20-loop.
 */
final class SimNode {

    /** What a run may switch off or vary in its nodes. */
    record Variant(NodeLoop.Policies policies, boolean watcherLooks, boolean dropStuckGrant, boolean socketWaits) { }

    private static final int LIVELOCK_STEPS = 10_000;
    /** -Dsim.trace=true: every step of every node in the history's log (for a replayed seed). */
    private static final boolean TRACE = Boolean.getBoolean("sim.trace");

    private final VirtualScheduler scheduler;
    private final SimHistory history;
    private final SimProcess process;
    private final HighlanderSettings settings;
    private final SplittableRandom random;
    private final LongSupplier ticker;
    private final SimSessions sessions;
    private final NodeLoop loop;
    private final WatcherLoop watcher;
    private final List<Election> elections = new ArrayList<>();
    private final List<SimThread> threads = new ArrayList<>();
    private final boolean watcherLooks;
    private final java.util.Map<String, Long> forcedStops = new java.util.HashMap<>();
    private Runnable loopWaker;
    private Runnable watcherWaker;

    SimNode(VirtualScheduler scheduler, SimPostgres server, SimHistory history, SimProcess process,
            HighlanderSettings settings, List<String> singletons, Variant variant, long clockOffset) {
        this.scheduler = scheduler;
        this.history = history;
        this.process = process;
        this.settings = settings;
        this.random = scheduler.random();
        // a node's monotonic clock starts anywhere (System.nanoTime may be negative or near overflow)
        this.ticker = () -> clockOffset + scheduler.now();
        this.sessions = new SimSessions(scheduler, server, process, settings.nodeId(), settings.lease(),
                settings.standbyInterval(), settings.watcherWait(), variant.socketWaits(), variant.dropStuckGrant(),
                settings.takeover() == HighlanderSettings.Takeover.STRICT);
        this.loop = new NodeLoop(settings, sessions, ticker, random::nextInt, variant.policies());
        Scheduler watchdog = (task, delayNanos) -> process.after(Math.max(0, delayNanos), task);
        for (String name : singletons) {
            elections.add(new Election(name, null, settings, null, loop, e -> new SimInstances(e), watchdog,
                    ticker));
        }
        this.watcherLooks = variant.watcherLooks();
        this.watcher = new WatcherLoop(settings, sessions, loop, ticker);
        watcher.interruptWith(this::interruptWatcher);
        if (variant.watcherLooks()) {
            loop.watchWith(watcher);
        }
        loop.drive(new NodeLoop.Driver() {
            @Override
            public void wake() {
                Runnable waker = loopWaker;
                if (waker != null) {
                    waker.run();
                }
            }

            @Override
            public void awaitEnd(long millis) {
            }
        });
        sessions.listen(new SimSessions.NodeSessionListener() {
            @Override
            public void heard(Notice.Heard heard) {
                if (TRACE) {
                    history.note(name() + " heard " + heard.notice().payload() + " from pid " + heard.pid());
                }
                loop.post(new LoopEvent.Heard(heard));
            }

            @Override
            public void ended(SQLException why) {
                if (TRACE) {
                    history.note(name() + " node session ended: " + why.getSQLState());
                }
                loop.post(new LoopEvent.SocketFailed(why));
            }
        });
    }

    String name() {
        return settings.nodeId();
    }

    /** Starts the loop's and the watcher's drivers. */
    void start() {
        history.able(name(), true);
        history.note("node " + name() + " starts");
        threads.add(SimThread.start(process, name() + "-loop", this::driveLoop));
        if (watcherLooks) {
            threads.add(SimThread.start(process, name() + "-watcher", this::driveWatcher));
        }
    }

    /** kill -9: the process and everything it runs ends now; its threads unwind. */
    void kill(boolean hostAlive) {
        process.kill(hostAlive);
        history.died(name());
        for (SimThread thread : threads) {
            thread.kill();
        }
        threads.clear();
    }

    /** Ends the threads at the end of a run. */
    void close() {
        for (SimThread thread : threads) {
            thread.kill();
        }
        threads.clear();
    }

    List<Integer> pids() {
        return sessions.pids();
    }

    List<SimLink> links() {
        return sessions.links();
    }

    /** A scripted scenario: the next {@code @PreDestroy} of {@code singleton} on this node takes this long. */
    void forceStop(String singleton, long nanos) {
        forcedStops.put(singleton, nanos);
    }

    /** Steps down from {@code singleton} (a scripted scenario). */
    void stepDown(String singleton) {
        for (Election election : elections) {
            if (election.name().equals(singleton)) {
                election.stepDown(java.time.Duration.ZERO);
            }
        }
    }

    /** @return the singleton it steps down from, or null if it leads none */
    String stepDown() {
        List<Election> leading = new ArrayList<>();
        for (Election election : elections) {
            if (election.state().runningTerm() != null) {
                leading.add(election);
            }
        }
        if (leading.isEmpty()) {
            return null;
        }
        Election chosen = leading.get(random.nextInt(leading.size()));
        chosen.stepDown(java.time.Duration.ZERO);
        return chosen.name();
    }

    private void driveLoop(SimThread self) {
        long lastNow = Long.MIN_VALUE;
        int sameInstant = 0;
        while (true) {
            NodeLoop.Step step = loop.step();
            if (TRACE) {
                history.note(name() + " step: until +" + SimHistory.ms(step.until() - ticker.getAsLong())
                        + (step.done() ? " done" : "") + " states " + states());
            }
            if (step.done()) {
                return;
            }
            long now = ticker.getAsLong();
            sameInstant = now == lastNow ? sameInstant + 1 : 0;
            lastNow = now;
            if (sameInstant > LIVELOCK_STEPS) {
                throw new IllegalStateException("node " + name() + " stepped " + LIVELOCK_STEPS
                        + " times without time passing (a livelock)");
            }
            long wait = step.until() - now;
            if (wait > 0 && !loop.hasEvents()) {
                self.<Void>await(done -> {
                    loopWaker = () -> done.accept(null);
                    process.after(wait, () -> done.accept(null));
                });
                loopWaker = null;
            }
        }
    }

    private String states() {
        StringBuilder out = new StringBuilder();
        for (Election election : elections) {
            out.append(election.name()).append('=').append(election.state().phase()).append(' ');
        }
        return out.toString().trim();
    }

    private void driveWatcher(SimThread self) {
        WatcherLoop.Action action = watcher.step();
        while (!(action instanceof WatcherLoop.Done)) {
            if (action instanceof WatcherLoop.AwaitGone wait) {
                try {
                    watcher.waitEnded(wait, wait.on().awaitGone(wait.gone()));
                } catch (SQLException e) {
                    action = watcher.waitFailed(wait, e);
                    if (action instanceof WatcherLoop.Done) {
                        break;
                    }
                    park(self, action);
                }
            } else {
                park(self, action);
            }
            action = watcher.step();
        }
    }

    private void park(SimThread self, WatcherLoop.Action action) {
        if (action instanceof WatcherLoop.Park park) {
            long left = park.until() - ticker.getAsLong();
            if (left > 0 && !watcher.wakeWanted() && !watcher.closing()) {
                self.<Void>await(done -> {
                    watcherWaker = () -> done.accept(null);
                    process.after(left, () -> done.accept(null));
                });
                watcherWaker = null;
            }
        }
    }

    private void interruptWatcher() {
        Runnable waker = watcherWaker;
        if (waker != null) {
            waker.run();
        }
        WatcherStatements open = watcher.session();
        if (open != null) {
            open.cancel();
        }
    }

    /** The instance side: {@code @PostConstruct} and {@code @PreDestroy} take scripted, seeded times. */
    private final class SimInstances implements Instances {

        private final Election election;

        SimInstances(Election election) {
            this.election = election;
        }

        @Override
        public void start(Term starting) {
            if (TRACE) {
                history.note(name() + " term " + starting.fencingToken() + " of " + election.name() + " begins, hold "
                        + SimHistory.ms(starting.lock().holdBeforeStartNanos()));
            }
            long postConstruct = random.nextLong(0, settings.stopMargin().toNanos() / 2 + 1);
            process.after(postConstruct, () -> {
                if (election.serve(starting)) {
                    history.started(election.name(), name(), starting.fencingToken());
                }
            });
        }

        @Override
        public void warmUp() {
        }

        @Override
        public void stop(Term ended, LossReason reason, CompletableFuture<Void> stopped,
                CompletableFuture<Long> began) {
            long margin = settings.stopMargin().toNanos();
            // mostly well inside the stop margin; one in ten overruns it (the watchdog's case)
            long drawn = random.nextInt(10) == 0 ? random.nextLong(margin, 4 * margin)
                    : random.nextLong(0, margin / 2 + 1);
            Long forced = forcedStops.remove(election.name());
            long preDestroy = forced != null ? forced : drawn;
            process.after(0, () -> {
                began.complete(ticker.getAsLong());
                history.stopping(election.name(), name());
                process.after(preDestroy, () -> {
                    history.stopped(election.name(), name());
                    stopped.complete(null);
                });
            });
        }

        @Override
        public void reportFailure(Term running, Throwable cause) {
        }

        @Override
        public void replace(Term running) {
        }

        @Override
        public int restarts() {
            return 0;
        }

        @Override
        public void shutdown(long millis) {
        }
    }
}
