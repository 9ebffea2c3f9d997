package io.highlander.cdi.internal.sim;

import io.highlander.cdi.internal.lock.Notice;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A JDBC connection as the statement adapters need it, over a {@link SimLink}: a blocking round trip for the
 * calling {@link SimThread} (bounded like {@code setNetworkTimeout}: on expiry the driver closes the connection and
 * reports 08006), the server's errors as {@link SQLException}s with their SQLState, the end of the session seen at
 * once (as pgjdbc's socket read sees it) and as 08003 on every later call, and notices on our channel parsed with
 * the real {@link Notice#parse}.
 */
final class SimConnection implements ClientEnd {

    /** What a round trip came back with. */
    private record Reply(List<Object> values, SQLException error) { }

    private final SimLink link;
    private final SimProcess process;
    private final String channel;
    private final Deque<Notice.Heard> heard = new ArrayDeque<>();
    private Consumer<Reply> pending;
    private Consumer<Reply> noticeWaiter;
    private SQLException serverEnded;
    private boolean closed;
    private int pid;
    private Consumer<Notice.Heard> noticeSink;
    private Consumer<SQLException> endSink;

    private SimConnection(SimLink link, SimProcess process, String channel) {
        this.link = link;
        this.process = process;
        this.channel = channel;
    }

    /** Connects on the calling simulated thread; @throws SQLException as a refused connection does */
    static SimConnection open(VirtualScheduler scheduler, SimPostgres server, SimProcess process, String channel,
            long minDelay, long maxDelay, Duration timeout) throws SQLException {
        SimLink link = new SimLink(scheduler, server, process, minDelay, maxDelay);
        SimConnection connection = new SimConnection(link, process, channel);
        SimThread self = thread();
        Reply reply = self.await(done -> {
            VirtualScheduler.Scheduled expiry = process.after(timeout.toNanos(),
                    () -> done.accept(new Reply(null, new SQLException("The connection attempt failed.", "08001"))));
            link.open(connection, pid -> {
                expiry.cancel();
                connection.pid = pid;
                done.accept(new Reply(List.of(pid), null));
            }, error -> {
                expiry.cancel();
                done.accept(new Reply(null, new SQLException(error.message(), error.sqlState())));
            });
        });
        if (reply.error != null) {
            link.close();
            throw reply.error;
        }
        return connection;
    }

    private static SimThread thread() {
        return SimThread.current().orElseThrow(() -> new IllegalStateException(
                "a simulated statement must be called on a SimThread"));
    }

    int pid() {
        return pid;
    }

    SimLink link() {
        return link;
    }

    boolean closed() {
        return closed;
    }

    /** From now on notices and the session's end go to these (a simulation's driver) instead of the buffer. */
    void deliverTo(Consumer<Notice.Heard> notices, Consumer<SQLException> ended) {
        this.noticeSink = notices;
        this.endSink = ended;
        while (!heard.isEmpty() && notices != null) {
            notices.accept(heard.pollFirst());
        }
    }

    /** One statement, one round trip; @return its values, one per step */
    List<Object> call(List<Step> steps, Duration timeout) throws SQLException {
        if (closed || serverEnded != null) {
            throw new SQLException("This connection has been closed.", "08003");
        }
        Reply reply = thread().await(done -> {
            VirtualScheduler.Scheduled expiry = process.after(timeout.toNanos(), () -> {
                closeLink();
                done.accept(new Reply(null, new SQLException("An I/O error occurred while sending to the backend.",
                        "08006")));
            });
            pending = r -> {
                expiry.cancel();
                done.accept(r);
            };
            link.send(steps);
        });
        pending = null;
        if (noticeSink != null && !heard.isEmpty()) {
            process.after(0, this::flush);
        }
        if (reply.error != null) {
            throw reply.error;
        }
        return reply.values;
    }

    /** Waits in a socket read, sending nothing, for notices; @return those that came */
    List<Notice.Heard> awaitNotices(long millis) throws SQLException {
        if (heard.isEmpty()) {
            if (closed || serverEnded != null) {
                throw serverEnded != null ? serverEnded : new SQLException("This connection has been closed.", "08003");
            }
            Reply reply = thread().await(done -> {
                VirtualScheduler.Scheduled expiry = process.after(millis * 1_000_000L,
                        () -> done.accept(new Reply(List.of(), null)));
                noticeWaiter = r -> {
                    expiry.cancel();
                    done.accept(r);
                };
            });
            noticeWaiter = null;
            if (reply.error != null) {
                throw reply.error;
            }
        }
        List<Notice.Heard> out = new ArrayList<>(heard);
        heard.clear();
        return out;
    }

    /** {@code Connection.abort()}: a FIN to the server; a call in flight fails with 08006. */
    void abort() {
        if (closed) {
            return;
        }
        closeLink();
        SQLException aborted = new SQLException("An I/O error occurred while sending to the backend.", "08006");
        if (pending != null) {
            pending.accept(new Reply(null, aborted));
        }
        if (noticeWaiter != null) {
            noticeWaiter.accept(new Reply(null, aborted));
        }
    }

    private void closeLink() {
        closed = true;
        link.close();
    }

    @Override
    public void notification(Notification notification) {
        if (!notification.channel().equals(channel)) {
            return;
        }
        Optional<Notice> notice = Notice.parse(notification.payload());
        if (notice.isEmpty()) {
            return; // not ours
        }
        Notice.Heard h = new Notice.Heard(notice.get(), notification.senderPid());
        if (noticeSink != null && pending == null && heard.isEmpty()) {
            noticeSink.accept(h); // the driver's socket read between steps
        } else {
            // pgjdbc queues what comes during a statement; the loop may drain it (awaitNotices), else the driver's
            // next read returns it
            heard.addLast(h);
            if (noticeWaiter != null) {
                noticeWaiter.accept(new Reply(List.of(), null));
            }
        }
    }

    @Override
    public void result(List<Object> values, SqlError error) {
        if (pending != null) {
            pending.accept(new Reply(values, error == null ? null : new SQLException(error.message(),
                    error.sqlState())));
        }
    }

    /** Hands what pgjdbc queued during the last statement to the driver, unless another statement runs now. */
    private void flush() {
        while (pending == null && noticeSink != null && !heard.isEmpty()) {
            noticeSink.accept(heard.pollFirst());
        }
    }

    @Override
    public void terminated(SqlError why) {
        if (pending == null) {
            flush(); // read before the error, as they came
        }
        serverEnded = new SQLException(why.message(), why.sqlState());
        if (pending != null) {
            pending.accept(new Reply(null, serverEnded));
        }
        if (noticeWaiter != null) {
            noticeWaiter.accept(new Reply(null, serverEnded));
        }
        if (endSink != null) {
            endSink.accept(serverEnded);
        }
    }
}
