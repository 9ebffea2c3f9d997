package io.highlander.cdi.internal.fence;

import io.highlander.cdi.LossReason;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.lock.DriverConnections;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The work running under this node's terms of one election, and its cancellation when a term ends: the threads
 * inside an intercepted {@code @LeaderOnly} call admitted in that term are interrupted, and every connection fenced
 * by that term and not yet closed is aborted, so that its transaction can no longer commit. Never any other thread:
 * a container's thread outside such a call is left alone, and the interrupt does not outlive the call.
 * Why and what a method sees: docs/design/fencing.md §8.
 *
 * <p>Registration and the end of a term race without a lock: a call or a fence registers first and then reads the
 * election's state again; the term's end changes the state first and then reads the registrations. One of the two
 * sees the other, so no work of an ended term escapes both.
 */
public final class TermWork {

    private static final System.Logger LOG = System.getLogger(TermWork.class.getName());
    /**
     * Fenced connections are forgotten when their term ends; a long term with a pool hands out a new connection object
     * per borrow, so closed ones are swept out whenever the registry has doubled since the last sweep (amortised
     * constant cost per fence). The floor only keeps a small registry from being swept at every fence.
     */
    private static final int FIRST_SWEEP = 64;

    private final String election;
    private final String node;
    private final Executor aborts;
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();
    private final Map<Connection, Long> fenced = new ConcurrentHashMap<>();
    private volatile int sweepAt = FIRST_SWEEP;

    /**
     * @param election the election's name, for messages
     * @param node     this node, for messages
     * @param aborts   where fenced connections are aborted: never the thread that ends the term (the lock thread or
     *                 the lease watchdog), since a pool's or a server's wrapper may block in {@code abort}
     */
    public TermWork(String election, String node, Executor aborts) {
        this.election = election;
        this.node = node;
        this.aborts = aborts;
    }

    /**
     * Registers the calling thread as running a {@code @LeaderOnly} call of term {@code token}; the caller then reads
     * the election's state again and, if the term is no longer valid, leaves at once.
     *
     * @param token the term's fencing token
     * @return the call, to {@link Call#leave()} when it returns
     */
    public Call enter(long token) {
        Call call = new Call(Thread.currentThread(), token);
        calls.add(call);
        return call;
    }

    /**
     * Registers a connection fenced by term {@code token}; the caller then reads the election's state again and, if
     * the term is no longer valid, {@link #abort}s it.
     *
     * @param connection the application's connection, in its fenced transaction
     * @param token      the term's fencing token
     */
    public void fenced(Connection connection, long token) {
        fenced.put(connection, token);
        if (fenced.size() >= sweepAt) {
            fenced.keySet().removeIf(TermWork::closed);
            sweepAt = Math.max(FIRST_SWEEP, 2 * fenced.size());
        }
    }

    /**
     * Aborts one connection now (on the abort executor), whatever its term: a fence that found its term ended just
     * after it registered.
     *
     * @param connection the connection
     * @param token      the term it was fenced by
     */
    public void abort(Connection connection, long token) {
        fenced.remove(connection);
        offThisThread(() -> abortQuietly(List.of(connection), token));
    }

    /**
     * Term {@code token} has ended (its state already says so): aborts its fenced connections that are still open,
     * then interrupts its calls in flight. In that order, so that a method woken by the interrupt can no longer commit
     * what it fenced. Returns at once; with connections to abort, both run on the abort executor, else the
     * interrupts run here.
     *
     * @param token  the ended term's fencing token
     * @param reason why it ended, for the log
     */
    public void cancel(long token, LossReason reason) {
        List<Call> running = new ArrayList<>();
        for (Call call : calls) {
            if (call.token == token) {
                running.add(call);
            }
        }
        List<Connection> open = new ArrayList<>();
        for (Map.Entry<Connection, Long> entry : fenced.entrySet()) {
            if (entry.getValue() == token && fenced.remove(entry.getKey(), token) && !closed(entry.getKey())) {
                open.add(entry.getKey());
            }
        }
        if (running.isEmpty() && open.isEmpty()) {
            return;
        }
        LOG.log(Level.WARNING, Messages.termWorkCancelled(election, node, token, reason, running.size(), open.size()));
        running.forEach(Call::markCancelled); // all first: an inner call that leaves sees its enclosing one's mark
        if (open.isEmpty()) {
            running.forEach(Call::interrupt);
        } else {
            offThisThread(() -> {
                abortQuietly(open, token);
                running.forEach(Call::interrupt);
            });
        }
    }

    /**
     * Runs a task on the abort executor; here, if the executor refuses it (a server's thread factory while the
     * application stops): late is worse than a wrapper's slow abort.
     */
    private void offThisThread(Runnable task) {
        try {
            aborts.execute(task);
        } catch (RuntimeException refused) {
            task.run();
        }
    }

    /** @return how many calls are in flight now (any term) */
    public int callsInFlight() {
        return calls.size();
    }

    /** @return how many fenced connections are registered now (any term, closed ones not yet swept out) */
    public int fencedConnections() {
        return fenced.size();
    }

    private void abortQuietly(List<Connection> open, long token) {
        for (Connection connection : open) {
            // the driver's connection first: a server's handle may take abort and keep the physical connection, and
            // its transaction, alive (Payara Micro 6 does: PayaraMicroFencedTransactionIT)
            DriverConnections.physical(connection).ifPresent(TermWork::abortDriverConnection);
            try {
                connection.abort(Runnable::run); // on this thread: it is ours, and a socket's close is quick
            } catch (SQLException | RuntimeException e) {
                // the server still ends the transaction once it is idle for the lease (fencing.md F3)
                LOG.log(Level.WARNING, Messages.fencedAbortFailed(election, node, token, String.valueOf(e)));
            }
        }
    }

    private static void abortDriverConnection(Connection driver) {
        try {
            driver.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            // the handle's abort follows, and is logged if it fails too
        }
    }

    private static boolean closed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException | RuntimeException e) {
            return true; // a connection that cannot even say so has nothing left to commit
        }
    }

    /** One intercepted call in flight, on one thread, under one term. */
    public final class Call {

        private final Thread thread;
        private final long token;
        private boolean cancelled; // guarded by this
        private boolean done; // guarded by this

        private Call(Thread thread, long token) {
            this.thread = thread;
            this.token = token;
        }

        /** Marks the call cancelled, unless it has returned. */
        private synchronized void markCancelled() {
            if (!done) {
                cancelled = true;
            }
        }

        /** Interrupts the call's thread, unless the call has returned: no interrupt reaches the thread's next task. */
        private synchronized void interrupt() {
            if (cancelled && !done) {
                thread.interrupt();
            }
        }

        /**
         * The call has returned (normally or not), on its own thread. If its term's end interrupted it, the flag is
         * cleared here, unless an enclosing call of this election on this thread was cancelled too and still runs:
         * the interrupt was for the call, not for whatever the thread does next (a container's pooled thread).
         */
        public void leave() {
            calls.remove(this);
            boolean wasCancelled;
            synchronized (this) {
                done = true;
                wasCancelled = cancelled;
            }
            if (wasCancelled) {
                Thread.interrupted();
                for (Call outer : calls) {
                    if (outer.thread == thread && outer.wasCancelled()) {
                        thread.interrupt();
                        break;
                    }
                }
            }
        }

        private synchronized boolean wasCancelled() {
            return cancelled;
        }
    }
}
