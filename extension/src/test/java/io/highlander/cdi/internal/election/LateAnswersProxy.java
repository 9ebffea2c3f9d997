package io.highlander.cdi.internal.election;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of PostgreSQL whose server answers can be held back: a statement reaches the
 * server, which answers at once, but the answer reaches the client only when {@link #deliver()} is called or
 * the client gives up (a slow server, seen from the client, on a connection that still works).
 */
final class LateAnswersProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean holding;
    private volatile boolean closed;

    LateAnswersProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("late-answers-accept", this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** From now on, answers from the server wait. */
    void holdAnswers() {
        synchronized (gate) {
            holding = true;
        }
    }

    /** Lets held answers through, and holds no more. */
    void deliver() {
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                start("late-answers-up", () -> pump(client, server, false));
                start("late-answers-down", () -> pump(server, client, true));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean answers) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (answers) {
                    awaitGate();
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side closed: close the other, as a real connection would
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitGate() throws InterruptedException {
        synchronized (gate) {
            while (holding && !closed) {
                gate.wait(100);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        deliver();
        closeQuietly(listener);
        sockets.forEach(LateAnswersProxy::closeQuietly);
    }

    private static void start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
