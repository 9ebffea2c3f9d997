package io.highlander.cdi.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a server (PostgreSQL, pgbouncer) that can misbehave as a network or a server
 * does, seen from the client:
 * <ul>
 *   <li>{@link #cut(boolean) cut} the link without closing anything: it stops forwarding both ways and lets bytes
 *       pile up, as a dead link would; neither data nor a close gets through until it is healed;</li>
 *   <li>{@link #delay(long) delay} every chunk both ways (a slow link), or {@link #delayResponses(long) the
 *       server's answers only} (a slow server);</li>
 *   <li>{@link #holdResponses() hold} the server's answers: a statement reaches the server, which answers at once,
 *       but the answer reaches the client only when {@link #deliver()} is called (a slow server on a connection
 *       that still works, for races on a late answer).</li>
 * </ul>
 * A connection is refused when the server is down, as a direct one would be. {@link #close()} closes every socket.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    // one monitor for every state a pump waits on, so that a change wakes it at once rather than at its next poll
    private final Object gate = new Object();
    private boolean cut;
    private boolean holding;
    private volatile long delayMillis;
    private volatile long responseDelayMillis;
    private volatile boolean closed;

    /**
     * Starts listening on a free loopback port.
     *
     * @param targetPort the server's loopback port
     * @throws IOException if no port can be bound
     */
    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("tcp-proxy-accept-" + listener.getLocalPort(), this::accept);
    }

    /** @return the loopback port clients connect to */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * @param jdbcUrl a URL whose host and port are the server's
     * @return the same URL through this proxy
     */
    public String route(String jdbcUrl) {
        return jdbcUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + port() + "/");
    }

    /** @param cut whether to stop forwarding both ways (sockets stay open; a close does not get through either) */
    public void cut(boolean cut) {
        synchronized (gate) {
            this.cut = cut;
            gate.notifyAll();
        }
    }

    /** @param millis latency added to every chunk, each way */
    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** @param millis latency added to every chunk from the server only (a slow server, not a slow link) */
    public void delayResponses(long millis) {
        this.responseDelayMillis = millis;
    }

    /** From now on, answers from the server wait, until {@link #deliver()}. */
    public void holdResponses() {
        synchronized (gate) {
            holding = true;
        }
    }

    /** Lets held answers through, and holds no more. */
    public void deliver() {
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                sockets.add(client);
                sockets.add(upstream);
                start("tcp-proxy-up", () -> pump(client, upstream, false));
                start("tcp-proxy-down", () -> pump(upstream, client, true));
            } catch (IOException e) {
                closeQuietly(client); // the server is down: refuse, as a direct connection would be
            }
        }
    }

    private void pump(Socket from, Socket to, boolean responses) {
        byte[] buffer = new byte[16384];
        // not try-with-resources: closing a socket's stream closes the socket, and that close must wait for a heal
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                awaitPassage(responses);
                long delay = delayMillis + (responses ? responseDelayMillis : 0);
                if (delay > 0) {
                    Thread.sleep(delay); // the latency itself, not a wait for a condition
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side went away
        } finally {
            try {
                // across a cut link a close does not get through either: the other side learns of it once healed
                awaitHealed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitPassage(boolean responses) throws InterruptedException {
        synchronized (gate) {
            while ((cut || (responses && holding)) && !closed) {
                gate.wait();
            }
        }
    }

    private void awaitHealed() throws InterruptedException {
        synchronized (gate) {
            while (cut && !closed) {
                gate.wait();
            }
        }
    }

    @Override
    public void close() {
        synchronized (gate) {
            closed = true;
            gate.notifyAll();
        }
        closeQuietly(listener);
        sockets.forEach(TcpProxy::closeQuietly);
    }

    private static void start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
