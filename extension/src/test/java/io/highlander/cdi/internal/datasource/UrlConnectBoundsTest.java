package io.highlander.cdi.internal.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.testing.TestPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * The DataSource Highlander builds from {@code highlander.datasource.url} bounds every wait of a connect and of a
 * cancel request ({@link ConnectBounds}): a host that accepts connections and never answers (a black-holed old
 * primary behind a proxy, a frozen server) is given up on, where pgjdbc without TLS waits for its start-up answer for
 * ever (with TLS preferred, its 5 s {@code sslResponseTimeout} happens to bound the first read); and a timeout the URL
 * sets itself wins.
 */
class UrlConnectBoundsTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    /** Far above the bound (1 s for this lease): there only so that a hang fails the test instead of the build. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aHostThatAcceptsAndNeverAnswersIsGivenUpOn() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             WeldContainer container = emptyContainer()) {
            // the kernel completes the handshake into the backlog; nobody ever reads or answers
            ConnectionSource source = DataSourceLocator.locate(container.getBeanManager(), settings(
                    "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/app?sslmode=disable", "app", null));
            SQLException failure = assertTimeoutPreemptively(PATIENCE,
                    () -> catchThrowableOfType(source::connect, SQLException.class));
            assertThat((Throwable) failure).as("the connect to a silent host fails").isNotNull();
        }
    }

    @Test
    void theLibrarysBoundsAreOnItsConnectionsUnlessTheUrlSetsItsOwn() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        String url = postgres.url();
        try (WeldContainer container = emptyContainer()) {
            ConnectionSource bounded = DataSourceLocator.locate(container.getBeanManager(),
                    settings(url, postgres.user(), postgres.password()));
            ConnectionSource own = DataSourceLocator.locate(container.getBeanManager(), settings(
                    url + (url.contains("?") ? "&" : "?") + "socketTimeout=7", postgres.user(), postgres.password()));
            try (Connection connection = bounded.connect()) {
                assertThat(connection.getNetworkTimeout()).as("the library's socketTimeout, in ms")
                        .isEqualTo(ConnectBounds.forLease(LEASE).each().toMillis());
            }
            try (Connection connection = own.connect()) {
                assertThat(connection.getNetworkTimeout()).as("the URL's own socketTimeout, in ms").isEqualTo(7000);
            }
        }
    }

    private static HighlanderSettings settings(String url, String user, String password) {
        return HighlanderSettings.builder().nodeId("a").lease(LEASE).jdbcUrl(url, user, password).build();
    }

    private static WeldContainer emptyContainer() {
        return new Weld("url-bounds-" + System.nanoTime()).disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(DataSourceLocatorTest.Anchor.class) // Weld SE wants at least one class
                .initialize();
    }
}
