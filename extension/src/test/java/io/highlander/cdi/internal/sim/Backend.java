package io.highlander.cdi.internal.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * One simulated session (a backend process): runs one statement at a time, step by step, in autocommit unless a
 * {@link Step.Begin} opened a transaction, and behaves as PG-SEMANTICS measured:
 * <ul>
 *   <li>a statement that fails ({@code lock_timeout} 55P03, a cancel 57014, a full notify queue at commit 54000)
 *       rolls back its transaction: its NOTIFYs are never sent and its transaction-level locks are dropped, but a
 *       session-level lock it was granted stays (advisory locks ignore rollback: the watcher's "sticky grant");
 *       an unlock it made stays made;</li>
 *   <li>notifications reach it at the sender's commit if it listened then; it sends them to its client while
 *       idle outside a transaction, or just before the result of its running statement; they do not restart
 *       {@code idle_session_timeout}, which runs from the end of its last statement (not inside a transaction:
 *       {@code idle_in_transaction_session_timeout} does there);</li>
 *   <li>its client going away (a FIN) ends it at once when idle; while a statement runs it is noticed at
 *       {@code client_connection_check_interval}, else only when the statement ends and its result cannot be
 *       sent (the ghost waiter of §5a, granted the lock it waited for before it exits);</li>
 *   <li>its exit frees its locks one tag after another, a scheduler action each, in partition order, so that a
 *       waiter may run when one is free and before the others are (§10).</li>
 * </ul>
 */
public final class Backend {

    private enum State { IDLE, RUNNING, EXITING, GONE }

    private final SimPostgres server;
    private final VirtualScheduler scheduler;
    private final int pid;
    private final ClientEnd client;
    private final Map<Step.Setting, Long> settings = new EnumMap<>(Step.Setting.class);
    private final java.util.Set<String> listening = new HashSet<>();
    private final Deque<SimPostgres.Queued> inbox = new ArrayDeque<>();

    private State state = State.IDLE;
    private String applicationName = "";
    private boolean inTransaction;
    private boolean clientGone;
    private long xid;
    private VirtualScheduler.Scheduled timer; // the idle timer while idle; lock_timeout / sleep / step while running
    private VirtualScheduler.Scheduled clientCheck;

    // the running statement
    private List<Step> steps;
    private List<Object> values;
    private int pc;
    private boolean stepDelayed;
    private LockTable.Waiter waiter;
    private final java.util.Set<String> pendingListens = new LinkedHashSet<>();
    private boolean pendingUnlistenAll;
    private final LinkedHashSet<List<String>> pendingNotifies = new LinkedHashSet<>();

    Backend(SimPostgres server, VirtualScheduler scheduler, int pid, ClientEnd client) {
        this.server = server;
        this.scheduler = scheduler;
        this.pid = pid;
        this.client = client;
    }

    /** @return the backend pid */
    public int pid() {
        return pid;
    }

    /** @return whether the session still runs (not exiting, not gone) */
    public boolean alive() {
        return state == State.IDLE || state == State.RUNNING;
    }

    /** @return whether it holds a running statement (pg_stat_activity's 'active') */
    public boolean active() {
        return state == State.RUNNING;
    }

    String applicationName() {
        return applicationName;
    }

    boolean listensTo(String channel) {
        return alive() && listening.contains(channel);
    }

    /** @return the sequence number of the oldest notification it has not yet taken from the cluster's queue, or -1 */
    long oldestUnread() {
        return inbox.isEmpty() ? -1 : inbox.peekFirst().sequence();
    }

    /** The client sends a statement (the session must be idle: a client waits for each result). */
    public void submit(List<Step> statement) {
        if (!alive()) {
            return; // it went away while the statement was on the wire; the client learns from terminated()
        }
        if (state != State.IDLE) {
            throw new IllegalStateException("backend " + pid + " got a statement while one runs: a bug in the client");
        }
        cancelTimer();
        state = State.RUNNING;
        steps = List.copyOf(statement);
        values = new ArrayList<>();
        pc = 0;
        stepDelayed = false;
        advance();
    }

    /** A cancel request (from {@code Statement.cancel()} or {@code pg_cancel_backend}): ends a running statement. */
    public void cancel() {
        if (state == State.RUNNING) {
            fail(SqlError.CANCELED);
        }
    }

    /** The client closed its socket (a close, or its process killed on a live host: the kernel's FIN). */
    public void clientClosed() {
        if (!alive() || clientGone) {
            return;
        }
        clientGone = true;
        if (state == State.IDLE) {
            exit(null);
        } else {
            Long interval = settings.get(Step.Setting.CLIENT_CONNECTION_CHECK_INTERVAL);
            if (interval != null && interval > 0) {
                clientCheck = scheduler.after(interval, () -> exit(null));
            }
        }
    }

    /** @return the tcp_user_timeout set on this session, 0 if none */
    long tcpUserTimeout() {
        return settings.getOrDefault(Step.Setting.TCP_USER_TIMEOUT, 0L);
    }

    private void advance() {
        while (state == State.RUNNING && pc < steps.size()) {
            if (!stepDelayed) {
                long delay = server.stepLatency();
                if (delay > 0) {
                    stepDelayed = true;
                    timer = scheduler.after(delay, this::advance);
                    return;
                }
            }
            stepDelayed = false;
            Step step = steps.get(pc);
            while (step instanceof Step.Choose choose) {
                step = choose.choice().apply(java.util.Collections.unmodifiableList(new ArrayList<>(values)), server.catalog());
            }
            if (!run(step)) {
                return; // waits: a grant, lock_timeout, a cancel, a sleep's end or the exit continues it
            }
        }
        if (state == State.RUNNING) {
            finish();
        }
    }

    /** @return false if the statement now waits */
    private boolean run(Step step) {
        LockTable locks = server.locks();
        if (step instanceof Step.TryLock s) {
            done(locks.tryLock(pid, s.key(), s.mode(), s.level()));
        } else if (step instanceof Step.Lock s) {
            LockTable.Waiter queued = locks.lock(pid, s.key(), s.mode(), s.level(), this::granted);
            if (queued != null) {
                waiter = queued;
                long lockTimeout = settings.getOrDefault(Step.Setting.LOCK_TIMEOUT, 0L);
                if (lockTimeout > 0) {
                    timer = scheduler.after(lockTimeout, () -> fail(SqlError.LOCK_TIMEOUT));
                }
                return false;
            }
            done(true);
        } else if (step instanceof Step.Unlock s) {
            done(locks.unlock(pid, s.key(), s.mode()));
        } else if (step instanceof Step.UnlockAll) {
            locks.releaseAll(pid, LockTable.Level.SESSION);
            done(null);
        } else if (step instanceof Step.Notify s) {
            pendingNotifies.add(List.of(s.channel(), s.payload())); // one per (channel, payload) per transaction
            done(null);
        } else if (step instanceof Step.Listen s) {
            pendingListens.add(s.channel());
            done(null);
        } else if (step instanceof Step.UnlistenAll) {
            pendingUnlistenAll = true;
            pendingListens.clear();
            done(null);
        } else if (step instanceof Step.CurrentXactId) {
            if (xid == 0) {
                xid = server.assignXid();
            }
            done(xid);
        } else if (step instanceof Step.BackendPid) {
            done(pid);
        } else if (step instanceof Step.Set s) {
            settings.put(s.setting(), s.nanos());
            done(null);
        } else if (step instanceof Step.SetApplicationName s) {
            applicationName = s.name();
            done(null);
        } else if (step instanceof Step.Terminate s) {
            done(server.terminateBackend(s.pid()));
        } else if (step instanceof Step.Read s) {
            done(s.query().apply(server.catalog()));
        } else if (step instanceof Step.Sleep s) {
            done(null);
            timer = scheduler.after(s.nanos(), this::advance);
            return false;
        } else if (step instanceof Step.Begin) {
            inTransaction = true;
            done(null);
        } else if (step instanceof Step.Commit) {
            if (!commit()) {
                return false;
            }
            inTransaction = false;
            done(null);
        } else if (step instanceof Step.Value s) {
            done(s.value());
        } else {
            throw new AssertionError("unknown step " + step);
        }
        return true;
    }

    private void done(Object value) {
        values.add(value);
        pc++;
    }

    private void granted() {
        waiter = null;
        cancelTimer();
        done(true);
        // the grant happens inside the call that freed the tag: continue as an action of its own
        timer = scheduler.after(0, this::advance);
    }

    /** Commits the transaction; @return false if the commit failed (the statement failed with it) */
    private boolean commit() {
        if (!pendingNotifies.isEmpty() && !server.queueHasRoomFor(pendingNotifies.size())) {
            fail(SqlError.QUEUE_FULL);
            return false;
        }
        if (pendingUnlistenAll) {
            listening.clear();
        }
        listening.addAll(pendingListens);
        List<Notification> sent = new ArrayList<>();
        for (List<String> n : pendingNotifies) {
            sent.add(new Notification(n.get(0), n.get(1), pid));
        }
        endTransaction();
        server.deliver(sent); // only to sessions listening now, in commit order
        return true;
    }

    private void endTransaction() {
        pendingNotifies.clear();
        pendingListens.clear();
        pendingUnlistenAll = false;
        server.locks().releaseAll(pid, LockTable.Level.TRANSACTION);
        xid = 0;
    }

    private void finish() {
        if (!inTransaction && !commit()) {
            return;
        }
        respond(values, null);
    }

    private void fail(SqlError error) {
        if (state != State.RUNNING) {
            return;
        }
        if (waiter != null) {
            server.locks().withdraw(waiter);
            waiter = null;
        }
        cancelTimer();
        inTransaction = false; // simplification: an error ends an explicit transaction too (no aborted state)
        endTransaction();
        respond(null, error);
    }

    private void respond(List<Object> result, SqlError error) {
        state = State.IDLE;
        steps = null;
        if (clientGone) {
            exit(null); // the result cannot be sent: the backend learns only now that its client is gone
            return;
        }
        flushInbox(); // notifications that came in while it ran, just before the result (pgjdbc queues them)
        client.result(result, error);
        armIdleTimer();
    }

    /** The server queued a notification for this session at its sender's commit. */
    void receive(SimPostgres.Queued queued) {
        inbox.addLast(queued);
        if (state == State.IDLE && !inTransaction) {
            flushInbox();
        }
    }

    private void flushInbox() {
        SimPostgres.Queued next;
        while ((next = inbox.pollFirst()) != null) {
            client.notification(next.notification());
        }
    }

    private void armIdleTimer() {
        cancelTimer();
        Step.Setting which = inTransaction ? Step.Setting.IDLE_IN_TRANSACTION_SESSION_TIMEOUT
                : Step.Setting.IDLE_SESSION_TIMEOUT;
        long timeout = settings.getOrDefault(which, 0L);
        if (timeout > 0) {
            SqlError why = inTransaction ? SqlError.IDLE_IN_TRANSACTION : SqlError.IDLE_SESSION;
            timer = scheduler.after(timeout, () -> exit(why));
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /**
     * Ends the session: tells a client still there why (null: the socket just closes, EOF), drops its queued
     * notifications and its LISTENs, withdraws a waiting request, and frees its locks one tag per action.
     */
    void exit(SqlError why) {
        if (!alive()) {
            return;
        }
        boolean tell = !clientGone; // a client still there reads the FATAL, or the socket's end (EOF)
        state = State.EXITING;
        cancelTimer();
        if (clientCheck != null) {
            clientCheck.cancel();
        }
        if (waiter != null) {
            server.locks().withdraw(waiter);
            waiter = null;
        }
        pendingNotifies.clear();
        listening.clear();
        inbox.clear();
        if (tell) {
            client.terminated(why == null ? SqlError.EOF : why);
        }
        releaseNext(server.locks().heldBy(pid), 0);
    }

    private void releaseNext(List<AdvisoryKey> held, int index) {
        if (index == held.size()) {
            state = State.GONE;
            server.gone(this);
            return;
        }
        // LockReleaseAll walks the partitions: each tag freed is a moment in which waiters run
        scheduler.after(server.exitStepNanos(), () -> {
            if (state == State.EXITING) {
                server.locks().releaseTag(pid, held.get(index));
                releaseNext(held, index + 1);
            }
        });
    }

    /** The server process died with everything in it: no message, nothing released one by one. */
    void vanish() {
        state = State.GONE;
        cancelTimer();
        if (clientCheck != null) {
            clientCheck.cancel();
        }
        waiter = null;
        inbox.clear();
        listening.clear();
    }
}
