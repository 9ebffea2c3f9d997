package io.highlander.cdi.internal.sim;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Virtual time for one simulation run: a queue of timed actions run one at a time, in time order, and the run's
 * only source of chance. Nothing in a run reads the wall clock or another random generator, so a seed replays the
 * same run action for action.
 *
 * <p>Actions due at the same instant run in a random order drawn from the seed (not in the order they were
 * scheduled): the real system gives no order to two things that happen "at once" on different machines, and the
 * simulation should try them both ways. Callers that need an order between two actions (one link's messages) give
 * them different times.
 */
public final class VirtualScheduler {

    private final SplittableRandom random;
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
    private long now;
    private long sequence;
    private long ran;

    /** @param seed the run's seed: every random choice of the run comes from it */
    public VirtualScheduler(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** @return the virtual time in nanoseconds (starts at 0; a ticker for the code under test) */
    public long now() {
        return now;
    }

    /** @return the run's one random source */
    public SplittableRandom random() {
        return random;
    }

    /** @return how many actions ran so far */
    public long actionsRun() {
        return ran;
    }

    /** Runs {@code action} {@code delayNanos} from now (0: at this instant, after the running action). */
    public Scheduled after(long delayNanos, Runnable action) {
        if (delayNanos < 0) {
            throw new IllegalArgumentException("negative delay " + delayNanos);
        }
        return at(now + delayNanos, action);
    }

    /** Runs {@code action} at virtual time {@code time} (not before now). */
    public Scheduled at(long time, Runnable action) {
        Scheduled scheduled = new Scheduled(Math.max(time, now), random.nextLong(), sequence++, action);
        queue.add(scheduled);
        return scheduled;
    }

    /** Runs the due actions until the queue is empty or the next one lies after {@code until}; time ends at until. */
    public void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().time <= until) {
            runNext();
        }
        now = Math.max(now, until);
    }

    /** Runs the next action; @return false if there was none */
    public boolean runNext() {
        Scheduled next;
        do {
            next = queue.poll();
            if (next == null) {
                return false;
            }
        } while (next.cancelled);
        now = next.time;
        ran++;
        next.action.run();
        return true;
    }

    /** A scheduled action, which can be called off until it runs. */
    public static final class Scheduled implements Comparable<Scheduled> {

        private final long time;
        private final long tieBreak;
        private final long sequence;
        private final Runnable action;
        private boolean cancelled;

        private Scheduled(long time, long tieBreak, long sequence, Runnable action) {
            this.time = time;
            this.tieBreak = tieBreak;
            this.sequence = sequence;
            this.action = action;
        }

        /** Calls the action off (nothing if it ran already). */
        public void cancel() {
            cancelled = true;
        }

        /** @return the virtual time it runs at */
        public long time() {
            return time;
        }

        @Override
        public int compareTo(Scheduled other) {
            int byTime = Long.compare(time, other.time);
            if (byTime != 0) {
                return byTime;
            }
            int byChance = Long.compare(tieBreak, other.tieBreak);
            return byChance != 0 ? byChance : Long.compare(sequence, other.sequence);
        }
    }
}
