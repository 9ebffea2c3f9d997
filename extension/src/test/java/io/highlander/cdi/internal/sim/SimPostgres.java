package io.highlander.cdi.internal.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * An in-memory PostgreSQL server with the semantics the node-session protocol depends on, as measured in
 * {@code shared/PG-SEMANTICS.md}: sessions ({@link Backend}) with advisory locks ({@link LockTable}), LISTEN/NOTIFY
 * through one cluster-wide queue that can be full, the session timeouts, {@code pg_terminate_backend}, a restart
 * or a crash that ends every session, and {@code pg_locks} / {@code pg_stat_activity} reads ({@link Catalog}).
 * Time is the {@link VirtualScheduler}'s; the network in front of it is {@link SimLink}'s.
 */
public final class SimPostgres {

    /** A notification in the cluster's queue, numbered in commit order. */
    record Queued(long sequence, Notification notification) { }

    private final VirtualScheduler scheduler;
    private final LockTable locks = new LockTable();
    private final Map<Integer, Backend> backends = new TreeMap<>();
    private final Catalog catalog = new Catalog();
    private LongSupplier stepLatency = () -> 0;
    private LongSupplier exitStep;
    private long nextPid = 1000;
    private long nextXid = 700;
    private long notifySequence;
    private long queueCapacity = Long.MAX_VALUE;
    private long downUntil = Long.MIN_VALUE;
    private SqlError downWith;

    /** @param scheduler the run's time and chance */
    public SimPostgres(VirtualScheduler scheduler) {
        this.scheduler = scheduler;
        // a dying backend frees its next tag within microseconds (§10: the whole exit took 3.7–6.9 ms at p50)
        this.exitStep = () -> scheduler.random().nextLong(0, 50_000);
    }

    /**
     * Opens a session, as the first packet of a connection reaching the server does.
     *
     * @throws SimSqlException while the server is down or starting up
     */
    public Backend connect(ClientEnd client) {
        if (scheduler.now() < downUntil) {
            throw new SimSqlException(downWith);
        }
        nextPid += 1 + scheduler.random().nextInt(7); // like the OS's: increasing, with gaps, never reused in a run
        Backend backend = new Backend(this, scheduler, (int) nextPid, client);
        backends.put(backend.pid(), backend);
        return backend;
    }

    /** {@code pg_terminate_backend(pid)}: the session ends with 57P01; @return whether such a session ran */
    public boolean terminateBackend(int pid) {
        Backend backend = backends.get(pid);
        if (backend == null || !backend.alive()) {
            return false;
        }
        scheduler.after(0, () -> backend.exit(SqlError.ADMIN)); // the signal is handled after the caller's step
        return true;
    }

    /**
     * A restart: every session ends at once (fast: each client reads 57P01; crash or immediate: the socket just
     * closes, 08006), every lock and every queued notification is gone, and for {@code downNanos} no connection
     * is accepted (57P03 while starting up after a fast restart, 08001 after a crash). Transaction ids go on
     * (the tokens' statement commits synchronously: §6).
     */
    public void restart(boolean crash, long downNanos) {
        for (Backend backend : new ArrayList<>(backends.values())) {
            if (backend.alive()) {
                backend.exit(crash ? SqlError.EOF : SqlError.ADMIN);
            }
            backend.vanish();
        }
        backends.clear();
        locks.clear();
        downUntil = scheduler.now() + downNanos;
        downWith = crash ? SqlError.REFUSED : SqlError.STARTING;
    }

    /** @return whether the server accepts connections now */
    public boolean up() {
        return scheduler.now() >= downUntil;
    }

    /** Makes every statement step take this long (the fault injector's slow statements). */
    public void stepLatency(LongSupplier nanos) {
        this.stepLatency = nanos;
    }

    /** Sets how many notifications the cluster's queue holds (8 GB on a real server). */
    public void notifyQueueCapacity(long notifications) {
        this.queueCapacity = notifications;
    }

    /** @return {@code pg_notification_queue_usage()}: the part of the queue in use, 0 to 1 */
    public double notificationQueueUsage() {
        return queueCapacity == Long.MAX_VALUE ? 0 : (double) used() / queueCapacity;
    }

    /** @return the views a statement can read */
    public Catalog catalog() {
        return catalog;
    }

    /** @return the live session with this pid */
    public Optional<Backend> backend(int pid) {
        return Optional.ofNullable(backends.get(pid)).filter(Backend::alive);
    }

    LockTable locks() {
        return locks;
    }

    long stepLatency() {
        return stepLatency.getAsLong();
    }

    long exitStepNanos() {
        return exitStep.getAsLong();
    }

    long assignXid() {
        return ++nextXid;
    }

    boolean queueHasRoomFor(int count) {
        return used() + count <= queueCapacity;
    }

    private long used() {
        long oldest = notifySequence;
        for (Backend b : backends.values()) {
            long unread = b.oldestUnread();
            if (unread >= 0) {
                oldest = Math.min(oldest, unread);
            }
        }
        return notifySequence - oldest;
    }

    /** A commit's notifications: queued for every session listening on their channel now, in commit order. */
    void deliver(List<Notification> sent) {
        for (Notification n : sent) {
            Queued queued = new Queued(notifySequence++, n);
            for (Backend b : new ArrayList<>(backends.values())) {
                if (b.listensTo(n.channel())) {
                    b.receive(queued);
                }
            }
        }
    }

    void gone(Backend backend) {
        backends.remove(backend.pid(), backend);
    }

    /** What {@code pg_locks} joined with {@code pg_stat_activity} shows. */
    public final class Catalog {

        /** @return the advisory rows of {@code pg_locks} (granted and waiting) */
        public List<LockTable.Row> advisoryLocks() {
            return locks.rows();
        }

        /** @return the granted holders of a tag by pid, as {@code pg_locks} shows them */
        public Map<Integer, java.util.Set<LockMode>> holders(AdvisoryKey key) {
            return locks.holders(key);
        }

        /** @return {@code pg_stat_activity.application_name} of a session, empty once it is gone */
        public Optional<String> applicationName(int pid) {
            Backend b = backends.get(pid);
            return b == null ? Optional.empty() : Optional.of(b.applicationName());
        }

        /** @return {@code pg_notification_queue_usage()} */
        public double notificationQueueUsage() {
            return SimPostgres.this.notificationQueueUsage();
        }

        /** @return the pids of sessions with a row in {@code pg_stat_activity} (exiting ones too) */
        public List<Integer> pids() {
            return List.copyOf(backends.keySet());
        }
    }
}
