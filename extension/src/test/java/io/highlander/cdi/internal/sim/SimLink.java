package io.highlander.cdi.internal.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * One client connection between a {@link SimProcess} and the {@link SimPostgres}: both directions are FIFO with a
 * random loopback-like delay; a cut holds everything in both directions (TCP retransmits) until it heals; a close
 * (or the process's kill on a live host) reaches the server as a FIN. What the server sends runs on the client
 * through its process, so a frozen node reads it only at its thaw.
 *
 * <p>While cut, data the server sends stays unacknowledged; with {@code tcp_user_timeout} set on the session the
 * server drops the connection that long after its first unacknowledged send (PG-SEMANTICS §5p, §10: with LISTEN
 * an unsolicited notification can start that clock before any request).
 *
 * <p>{@link #noticeFault} breaks PostgreSQL's own promise on purpose (a notice delayed, dropped or duplicated
 * after the server sent it), to check that the protocol only uses notices as hints.
 */
public final class SimLink {

    /** What happens to one notification on its way: the extra delays of its copies (none: dropped). */
    public interface NoticeFault {
        /** @return one extra delay per copy delivered; an empty array drops it */
        long[] copies(Notification notification);
    }

    private final VirtualScheduler scheduler;
    private final SimPostgres server;
    private final SimProcess process;
    private final long minDelay;
    private final long maxDelay;
    private final Deque<Runnable> heldToServer = new ArrayDeque<>();
    private final Deque<Runnable> heldToClient = new ArrayDeque<>();
    private NoticeFault noticeFault;
    private ClientEnd client;
    private Backend backend;
    private boolean cut;
    private boolean closed;
    private long lastToServer;
    private long lastToClient;
    private VirtualScheduler.Scheduled userTimeout;

    /**
     * @param minDelay the least one-way delay, ns
     * @param maxDelay the most one-way delay, ns
     */
    public SimLink(VirtualScheduler scheduler, SimPostgres server, SimProcess process, long minDelay, long maxDelay) {
        this.scheduler = scheduler;
        this.server = server;
        this.process = process;
        this.minDelay = minDelay;
        this.maxDelay = maxDelay;
    }

    /** Lets notices be delayed, dropped or duplicated on this link from now on (null: none). */
    public void noticeFault(NoticeFault fault) {
        this.noticeFault = fault;
    }

    /**
     * Connects: the server's answer comes back as {@code opened} (with the backend pid) or {@code refused}.
     *
     * @param client where what the server sends goes (run through the process)
     */
    public void open(ClientEnd client, Consumer<Integer> opened, Consumer<SqlError> refused) {
        this.client = client;
        process.opened(this);
        toServer(() -> {
            try {
                backend = server.connect(new ServerSide());
                int pid = backend.pid();
                toClient(() -> opened.accept(pid));
            } catch (SimSqlException e) {
                toClient(() -> refused.accept(e.error()));
            }
        });
    }

    /** Sends a statement; its result comes back through the {@link ClientEnd}. */
    public void send(List<Step> statement) {
        toServer(() -> backend.submit(statement));
    }

    /** {@code Statement.cancel()}: a new connection carries the cancel request to the server. */
    public void cancel() {
        if (!closed) {
            scheduler.after(delay() * 2, () -> {
                if (backend != null) {
                    backend.cancel();
                }
            });
        }
    }

    /** {@code Connection.close()} or {@code abort()}: a FIN to the server; nothing more reaches the client. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.closed(this);
        toServer(() -> {
            if (backend != null) {
                backend.clientClosed();
            }
        });
    }

    /** A partition: nothing gets through either way until {@link #heal}. */
    public void cut() {
        cut = true;
    }

    /** The partition heals: what was held goes through, in order. */
    public void heal() {
        cut = false;
        if (userTimeout != null) {
            userTimeout.cancel();
            userTimeout = null;
        }
        while (!heldToServer.isEmpty()) {
            toServer(heldToServer.pollFirst());
        }
        while (!heldToClient.isEmpty()) {
            toClient(heldToClient.pollFirst());
        }
    }

    /** @return the backend pid once connected, else 0 */
    public int pid() {
        return backend == null ? 0 : backend.pid();
    }

    private long delay() {
        return scheduler.random().nextLong(minDelay, maxDelay + 1);
    }

    private void toServer(Runnable atServer) {
        if (cut) {
            heldToServer.addLast(atServer);
            return;
        }
        lastToServer = Math.max(scheduler.now() + delay(), lastToServer + 1);
        scheduler.at(lastToServer, atServer);
    }

    private void toClient(Runnable atClient) {
        if (cut) {
            heldToClient.addLast(atClient);
            startUserTimeout();
            return;
        }
        lastToClient = Math.max(scheduler.now() + delay(), lastToClient + 1);
        scheduler.at(lastToClient, () -> {
            if (!closed) {
                process.execute(atClient);
            }
        });
    }

    private void startUserTimeout() {
        long timeout = backend == null ? 0 : backend.tcpUserTimeout();
        if (timeout > 0 && userTimeout == null) {
            Backend unanswered = backend;
            userTimeout = scheduler.after(timeout, () -> unanswered.exit(null));
        }
    }

    /** The server's end of the socket. */
    private final class ServerSide implements ClientEnd {

        @Override
        public void notification(Notification notification) {
            long[] copies = noticeFault == null ? new long[] {0} : noticeFault.copies(notification);
            for (long extra : copies) {
                if (extra == 0) {
                    toClient(() -> client.notification(notification));
                } else {
                    scheduler.after(extra, () -> toClient(() -> client.notification(notification)));
                }
            }
        }

        @Override
        public void result(List<Object> values, SqlError error) {
            toClient(() -> client.result(values, error));
        }

        @Override
        public void terminated(SqlError why) {
            toClient(() -> client.terminated(why));
        }
    }
}
