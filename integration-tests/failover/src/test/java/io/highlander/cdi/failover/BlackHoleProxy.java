package io.highlander.cdi.failover;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of one server that can turn into a black hole: from {@link #blackHole()} on,
 * it forwards nothing in either direction and answers no new connection, while keeping every socket open, as a
 * host that stopped answering (rather than refusing) looks to a client. Its threads end on {@link #close()}.
 */
final class BlackHoleProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean hole;

    BlackHoleProxy(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "black-hole-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** From now on nothing passes, and new connections are accepted but never answered. */
    void blackHole() {
        hole = true;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                if (hole) {
                    continue; // accepted, never answered
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                // closed, or the target refused: the client sees its socket closed
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (!hole) { // in a black hole, read and drop: the sockets stay open and silent
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
                if (!hole) {
                    to.shutdownOutput();
                }
            } catch (IOException e) {
                // one side went away, or close()
            }
        }, "black-hole-proxy-pump");
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
