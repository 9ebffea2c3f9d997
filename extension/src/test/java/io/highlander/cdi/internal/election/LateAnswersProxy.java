package io.highlander.cdi.internal.election;

import io.highlander.cdi.testing.TcpProxy;
import java.io.IOException;

/**
 * A loopback TCP proxy in front of PostgreSQL whose server answers can be held back: a statement reaches the
 * server, which answers at once, but the answer reaches the client only when {@link #deliver()} is called (a slow
 * server, seen from the client, on a connection that still works). The shared {@link TcpProxy} under the names
 * these races read best with.
 */
final class LateAnswersProxy implements AutoCloseable {

    private final TcpProxy proxy;

    LateAnswersProxy(int targetPort) throws IOException {
        this.proxy = new TcpProxy(targetPort);
    }

    int port() {
        return proxy.port();
    }

    /** From now on, answers from the server wait. */
    void holdAnswers() {
        proxy.holdResponses();
    }

    /** Lets held answers through, and holds no more. */
    void deliver() {
        proxy.deliver();
    }

    @Override
    public void close() {
        proxy.close();
    }
}
