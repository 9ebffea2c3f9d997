package io.highlander.cdi.internal.datasource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback port that closes every connection at once (as a server that is not yet what the URL asks for refuses a
 * client) until {@link #forward()}, and from then on pipes each connection to a real server: a standby that is
 * promoted, as the race sees it. Counts the connections it closed.
 */
final class RefusingThenForwarding implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final AtomicInteger refused = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean forwarding;

    RefusingThenForwarding(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepting = new Thread(this::accept, "refusing-then-forwarding");
        accepting.setDaemon(true);
        accepting.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** @return the connections closed at once so far */
    int refused() {
        return refused.get();
    }

    void forward() {
        forwarding = true;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                if (!forwarding) {
                    refused.incrementAndGet();
                    client.close();
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(server);
                pipe(client.getInputStream(), server.getOutputStream());
                pipe(server.getInputStream(), client.getOutputStream());
            } catch (IOException e) {
                // closed: the test is over
            }
        }
    }

    private static void pipe(InputStream from, OutputStream to) {
        Thread thread = new Thread(() -> {
            try (from; to) {
                from.transferTo(to);
            } catch (IOException e) {
                // one side closed
            }
        }, "refusing-then-forwarding-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
