package io.highlander.cdi.internal.threads;

import io.highlander.cdi.internal.Messages;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The threads that run a node's user code ({@code @PostConstruct}, {@code @PreDestroy}, event observers) and its
 * term-end aborts: one pool per node, whatever its number of singletons (issue 22: a thread per singleton made 100
 * nodes × 1,000 singletons need 101,000 threads, and a server with 1,000 singletons carried 1,000 parked threads).
 * Each singleton has a {@link Lane}: its tasks run one after another, never two at once, so a term's instance is
 * destroyed before the next one's is created; the lanes share the pool's threads, which come from
 * {@link LifecycleThreads} (the server's {@code ManagedThreadFactory} in Jakarta EE). A thread is named after the
 * singleton whose task it runs ({@code highlander-<name>-lifecycle}), {@value #IDLE_NAME} while parked.
 *
 * <p>How many threads: at most {@link #BUSY} tasks run at once, plus one thread for each task that has run longer
 * than {@link #STUCK_NANOS} (a hung {@code @PostConstruct} keeps its thread: no pool can take it back, but it no
 * longer counts against the others, so it cannot starve them; a fixed pool with serial lanes could). Between bursts
 * {@link #WARM} threads stay parked, so a takeover's task goes to a parked thread and starts none; the others end
 * after {@link #KEEP_ALIVE_NANOS} without work. An urgent task (a term's fenced connections to abort) never waits
 * for a free place: it takes a parked thread or starts one.
 */
public final class LifecyclePool {

    /** The name of a parked thread. */
    public static final String IDLE_NAME = "highlander-lifecycle";
    /** Threads kept parked between bursts: a takeover hands its task to one of them instead of starting a thread. */
    public static final int WARM = 2;
    /**
     * Tasks that run at once before a further one waits for a thread to come free. A burst (a node taking over a
     * hundred singletons at once) gains nothing from more on a machine of a few cores; a task stuck in user code
     * stops counting after {@link #STUCK_NANOS}.
     */
    public static final int BUSY = 4;
    /**
     * A task that has run this long is taken to be stuck in user code (a hung {@code @PostConstruct} or observer):
     * from then on it holds one of the pool's threads but none of its {@link #BUSY} places. Long enough that ordinary
     * {@code @PostConstruct}s on a loaded machine do not count; short beside the lease, which bounds a stop anyway.
     */
    static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a thread beyond the warm ones stays parked for more work before it ends. */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static final System.Logger LOG = System.getLogger(LifecyclePool.class.getName());

    private final LifecycleThreads threads;
    private final ScheduledExecutorService timer;
    private final LongSupplier ticker;
    // ---- guarded by this ----
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();
    private final ArrayDeque<Worker> parked = new ArrayDeque<>();
    private final List<Worker> workers = new ArrayList<>();
    private boolean recheckDue;
    private boolean shutdown;

    /**
     * @param threads where threads come from
     * @param timer   a node-wide timer (the lease watchdog) on which the pool looks again when every place is taken:
     *                a task that has run {@link #STUCK_NANOS} by then frees its place
     */
    public LifecyclePool(LifecycleThreads threads, ScheduledExecutorService timer) {
        this(threads, timer, System::nanoTime);
    }

    LifecyclePool(LifecycleThreads threads, ScheduledExecutorService timer, LongSupplier ticker) {
        this.threads = threads;
        this.timer = timer;
        this.ticker = ticker;
    }

    /**
     * @param singleton the singleton whose tasks it runs (thread names say it while they run)
     * @return a new lane: its tasks run one after another on the pool's threads
     */
    public Lane lane(String singleton) {
        return new Lane("highlander-" + singleton + "-lifecycle", false);
    }

    /**
     * @param singleton the singleton whose term ended
     * @return where that singleton's fenced connections are aborted: at once, each task on a thread of its own
     *         (parked or started), never behind a {@code @PreDestroy} that may hang
     */
    public Executor urgent(String singleton) {
        String name = "highlander-" + singleton + "-abort";
        return task -> {
            Lane once = new Lane(name, true);
            once.execute(task);
            once.close();
        };
    }

    /** @return how many threads the pool has now (running or parked) */
    public synchronized int threads() {
        return workers.size();
    }

    /** Stops the parked threads now and the others once their task returns; no task is accepted afterwards. */
    public void shutdown() {
        List<Worker> wake;
        synchronized (this) {
            shutdown = true;
            wake = new ArrayList<>(parked);
            notifyAll();
        }
        for (Worker worker : wake) {
            LockSupport.unpark(worker.thread);
        }
    }

    /** Hands ready lanes to parked threads, or to new ones while a place is free; under the pool's lock. */
    private void dispatch() {
        while (!ready.isEmpty()) {
            Worker idle = parked.pollFirst(); // the last parked first: the others may end, this one is warm
            if (idle != null) {
                idle.assign(ready.pollFirst(), ticker.getAsLong());
                LockSupport.unpark(idle.thread);
                continue;
            }
            Lane next = ready.peekFirst();
            long now = ticker.getAsLong();
            if (!next.urgent && counted(now) >= BUSY) {
                recheck(now);
                return;
            }
            if (!start(ready.pollFirst(), now)) {
                return;
            }
        }
    }

    /** @return how many running tasks take a place now: those not stuck */
    private int counted(long now) {
        int counted = 0;
        for (Worker worker : workers) {
            if (worker.running != null && !worker.urgent && now - worker.since < STUCK_NANOS) {
                counted++;
            }
        }
        return counted;
    }

    /** Every place is taken: look again when the oldest running task would count as stuck. */
    private void recheck(long now) {
        if (recheckDue || shutdown) {
            return;
        }
        long oldest = Long.MAX_VALUE;
        for (Worker worker : workers) {
            if (worker.running != null && !worker.urgent && now - worker.since < STUCK_NANOS) {
                oldest = Math.min(oldest, STUCK_NANOS - (now - worker.since));
            }
        }
        recheckDue = true;
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    recheckDue = false;
                    dispatch();
                }
            }, Math.max(0, oldest) + 1, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            recheckDue = false; // the node is closing; its threads finish what they run
        }
    }

    /** Starts a thread for {@code lane}; false (the lane back at the head) if the thread cannot be made. */
    private boolean start(Lane lane, long now) {
        Worker worker = new Worker();
        try {
            worker.thread = threads.newThread(lane.threadName, worker);
            worker.assign(lane, now);
            workers.add(worker);
            worker.thread.start();
            return true;
        } catch (RuntimeException | Error e) { // a server's factory refusing while the application stops
            workers.remove(worker);
            worker.running = null;
            ready.addFirst(lane);
            return false;
        }
    }

    /** One task of {@code lane} ran on {@code worker}: the lane goes to the back if it has more; the next lane. */
    private Lane finished(Worker worker, Lane lane) {
        long deadline;
        synchronized (this) {
            worker.running = null;
            if (lane.tasks.isEmpty()) {
                lane.queued = false;
                notifyAll(); // a lane's close waits for it
            } else {
                ready.addLast(lane); // after the others: one singleton's queue cannot hold theirs up
            }
            Lane next = ready.isEmpty() || !ready.peekFirst().urgent && counted(ticker.getAsLong()) >= BUSY
                    ? null : ready.pollFirst();
            if (next != null) {
                worker.assign(next, ticker.getAsLong());
                return next;
            }
            if (shutdown) {
                workers.remove(worker);
                return null;
            }
            parked.addFirst(worker);
            deadline = ticker.getAsLong() + KEEP_ALIVE_NANOS;
        }
        while (true) {
            LockSupport.parkNanos(this, KEEP_ALIVE_NANOS);
            synchronized (this) {
                if (worker.running != null) {
                    return worker.running;
                }
                boolean spare = parked.size() > WARM && ticker.getAsLong() - deadline >= 0;
                if (shutdown || spare) {
                    parked.remove(worker);
                    workers.remove(worker);
                    return null;
                }
            }
        }
    }

    /** The serial queue of one singleton's tasks on the pool's threads. */
    public final class Lane implements Executor {

        private final String threadName;
        private final boolean urgent;
        // ---- guarded by the pool ----
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        /** Whether it is in the ready queue or one of its tasks runs: then no other thread may take it. */
        private boolean queued;
        private boolean closed;

        private Lane(String threadName, boolean urgent) {
            this.threadName = threadName;
            this.urgent = urgent;
        }

        /**
         * Queues a task after this lane's others.
         *
         * @throws RejectedExecutionException once the lane or the pool is closed, or when no thread can be made for
         *                                    it and none runs (a server refusing threads while it stops)
         */
        @Override
        public void execute(Runnable task) {
            synchronized (LifecyclePool.this) {
                if (closed || shutdown) {
                    throw new RejectedExecutionException(threadName);
                }
                tasks.addLast(task);
                if (!queued) {
                    queued = true;
                    if (urgent) {
                        ready.addFirst(this);
                    } else {
                        ready.addLast(this);
                    }
                    dispatch();
                    if (ready.contains(this) && workers.isEmpty()) { // nothing will ever take it
                        ready.remove(this);
                        tasks.clear();
                        queued = false;
                        throw new RejectedExecutionException(threadName);
                    }
                }
            }
        }

        /** Accepts no more tasks; those queued still run. */
        public void close() {
            synchronized (LifecyclePool.this) {
                closed = true;
            }
        }

        /**
         * Closes the lane and waits until its queued tasks ran, at most {@code millis}.
         *
         * @param millis the bound
         * @return whether they all ran
         */
        public boolean closeAndAwait(long millis) {
            long until = ticker.getAsLong() + TimeUnit.MILLISECONDS.toNanos(millis);
            synchronized (LifecyclePool.this) {
                closed = true;
                while (queued) {
                    long left = until - ticker.getAsLong();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(LifecyclePool.this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                return true;
            }
        }
    }

    /** One of the pool's threads. */
    private final class Worker implements Runnable {

        private Thread thread;
        // ---- guarded by the pool ----
        private Lane running;
        private boolean urgent;
        private long since;

        private void assign(Lane lane, long now) {
            running = lane;
            urgent = lane.urgent;
            since = now;
        }

        @Override
        public void run() {
            Lane lane;
            synchronized (LifecyclePool.this) {
                lane = running;
            }
            while (lane != null) {
                Runnable task;
                synchronized (LifecyclePool.this) {
                    task = lane.tasks.pollFirst();
                }
                thread.setName(lane.threadName); // the logs say which singleton runs
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.ERROR, Messages.unexpected(lane.threadName), e); // keep the thread for the others
                }
                Thread.interrupted(); // an interrupt meant for this task must not reach another singleton's
                thread.setName(IDLE_NAME);
                lane = finished(this, lane);
            }
        }
    }
}
