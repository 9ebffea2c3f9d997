package io.highlander.cdi.internal.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One simulated JVM: everything a node does (its timers, what its sockets deliver) runs through
 * {@link #execute}, so that a freeze (SIGSTOP, a long GC pause) holds all of it back and a kill drops all of it.
 * The kernel keeps running while the process is frozen: its sockets stay open and keep receiving (PG-SEMANTICS
 * §3: keepalives are answered), so nothing changes for the server until the session's idle timeout.
 */
public final class SimProcess {

    private final VirtualScheduler scheduler;
    private final String name;
    private final Deque<Runnable> frozenWork = new ArrayDeque<>();
    private final List<SimLink> links = new ArrayList<>();
    private boolean frozen;
    private boolean dead;
    private long incarnation;

    /**
     * @param scheduler the run's time
     * @param name for the history
     */
    public SimProcess(VirtualScheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
    }

    /** @return the node's name */
    public String name() {
        return name;
    }

    /** Runs {@code work} now, or at the thaw if frozen; never if the process died. */
    public void execute(Runnable work) {
        if (dead) {
            return;
        }
        if (frozen) {
            frozenWork.addLast(work);
        } else {
            work.run();
        }
    }

    /** A timer of this process: runs {@code work} after {@code delayNanos}, later if frozen, never if it died meanwhile. */
    public VirtualScheduler.Scheduled after(long delayNanos, Runnable work) {
        long born = incarnation;
        return scheduler.after(delayNanos, () -> {
            if (born == incarnation) {
                execute(work);
            }
        });
    }

    /** SIGSTOP: nothing of this process runs until {@link #thaw}. */
    public void freeze() {
        frozen = true;
    }

    /** SIGCONT: what came in meanwhile runs now, in order (a timer that fell due runs late, as a real one would). */
    public void thaw() {
        frozen = false;
        while (!frozen && !dead && !frozenWork.isEmpty()) {
            frozenWork.pollFirst().run();
        }
    }

    /** @return whether it is frozen */
    public boolean frozen() {
        return frozen;
    }

    /** @return whether it was killed and not restarted */
    public boolean dead() {
        return dead;
    }

    /**
     * kill -9. On a live host the kernel closes its sockets (a FIN each: the server sees the sessions end); a dead
     * host or a partition sends nothing, so its sessions live on until a server-side timeout.
     */
    public void kill(boolean hostAlive) {
        dead = true;
        frozen = false;
        frozenWork.clear();
        incarnation++;
        for (SimLink link : new ArrayList<>(links)) { // a close takes the link off the list
            if (hostAlive) {
                link.close();
            } else {
                link.cut();
            }
        }
        links.clear();
    }

    /** Starts the process again (a new JVM with the same name): the caller builds its node anew. */
    public void restart() {
        dead = false;
        frozen = false;
        frozenWork.clear();
        incarnation++;
    }

    void opened(SimLink link) {
        links.add(link);
    }

    void closed(SimLink link) {
        links.remove(link);
    }
}
