package io.highlander.cdi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy between a client and a loopback server that echoes every byte and counts what it received: what a cut
 * link and held answers let through, observed from both ends. A read that must not return is bounded by a short
 * socket timeout, the only way to observe that nothing arrives.
 */
class TcpProxyTest {

    private static final int NOTHING_ARRIVES_MILLIS = 300;
    private static final int ARRIVES_WITHIN_MILLIS = 10_000;

    private ServerSocket echo;
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicBoolean serverSawEnd = new AtomicBoolean();
    private TcpProxy proxy;

    @BeforeEach
    void startEchoServer() throws IOException {
        echo = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            try (Socket socket = echo.accept(); InputStream in = socket.getInputStream();
                 OutputStream out = socket.getOutputStream()) {
                int b;
                while ((b = in.read()) >= 0) {
                    received.incrementAndGet();
                    out.write(b);
                    out.flush();
                }
                serverSawEnd.set(true);
            } catch (IOException e) {
                // the test is over
            }
        }, "echo");
        server.setDaemon(true);
        server.start();
        proxy = new TcpProxy(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void bytesPassBothWays() throws IOException {
        try (Socket client = connect()) {
            client.getOutputStream().write('a');
            assertThat(client.getInputStream().read()).isEqualTo('a');
        }
    }

    @Test
    void aCutLinkHoldsBytesBothWaysUntilHealed() throws IOException {
        try (Socket client = connect()) {
            client.getOutputStream().write('a');
            assertThat(client.getInputStream().read()).isEqualTo('a');
            proxy.cut(true);
            client.getOutputStream().write('b');
            assertNothingArrives(client);
            assertThat(received).as("bytes the server got across the cut").hasValue(1);
            proxy.cut(false);
            assertThat(client.getInputStream().read()).isEqualTo('b');
        }
    }

    @Test
    void heldAnswersReachTheServerButNotTheClientUntilDelivered() throws IOException {
        try (Socket client = connect()) {
            proxy.holdResponses();
            client.getOutputStream().write('q');
            await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 1);
            assertNothingArrives(client);
            proxy.deliver();
            assertThat(client.getInputStream().read()).isEqualTo('q');
        }
    }

    @Test
    void aCloseCrossesACutLinkOnlyOnceHealed() throws IOException {
        Socket client = connect();
        client.getOutputStream().write('a');
        assertThat(client.getInputStream().read()).isEqualTo('a');
        proxy.cut(true);
        client.close();
        await().during(Duration.ofMillis(NOTHING_ARRIVES_MILLIS)).atMost(Duration.ofSeconds(5))
                .until(() -> !serverSawEnd.get());
        proxy.cut(false);
        await().atMost(Duration.ofSeconds(10)).until(serverSawEnd::get);
    }

    @Test
    void aConnectionIsRefusedWhenTheServerIsDown() throws IOException {
        // A port bound by a socket that never listens refuses connections, and no other process can listen on it
        // meanwhile (no SO_REUSEADDR). Closing the echo server instead freed its port, and on a busy machine another
        // process's embedded PostgreSQL took it: the proxy then reached a server that waited for a start-up packet,
        // and the client read nothing for 10 s (the flake of 2026-12-07).
        try (Socket down = new Socket()) {
            down.setReuseAddress(false);
            down.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (TcpProxy toNothing = new TcpProxy(down.getLocalPort());
                 Socket client = new Socket(InetAddress.getLoopbackAddress(), toNothing.port())) {
                client.setSoTimeout(ARRIVES_WITHIN_MILLIS);
                assertThat(client.getInputStream().read()).as("end of stream: the proxy closed it").isEqualTo(-1);
            }
        }
    }

    @Test
    void routeSendsAJdbcUrlThroughTheProxy() {
        assertThat(proxy.route("jdbc:postgresql://localhost:5432/db?user=postgres"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/db?user=postgres");
    }

    private Socket connect() throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        client.setSoTimeout(ARRIVES_WITHIN_MILLIS); // a bound on what must come, generous on a loaded machine
        return client;
    }

    private static void assertNothingArrives(Socket client) throws IOException {
        client.setSoTimeout(NOTHING_ARRIVES_MILLIS);
        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        client.setSoTimeout(ARRIVES_WITHIN_MILLIS);
    }
}
