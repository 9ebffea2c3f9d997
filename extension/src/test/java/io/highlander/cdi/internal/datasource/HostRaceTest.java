package io.highlander.cdi.internal.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.testing.TestPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * The DataSource Highlander builds from a multi-host {@code highlander.datasource.url} that asks for a primary
 * ({@code targetServerType=primary}) connects to every host at once
 * and keeps the first that answers ({@link HostRace}): a host that accepts and never answers, first in the list, costs
 * nothing once the real server answers; and of two answers, the later connection is closed at once.
 */
class HostRaceTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    /** The URL's own timeouts for the silent host: a connect that waited on it would take this long. */
    private static final int SILENT_WAIT_SECONDS = 60;
    /** Far below {@link #SILENT_WAIT_SECONDS}, far above any connect to a live server: not a timing goal. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Test
    void aSilentFirstHostDoesNotHoldUpTheConnect() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             WeldContainer container = emptyContainer()) {
            // the kernel completes the handshake into the backlog; nobody ever reads or answers
            String url = withHosts(postgres.url(), "127.0.0.1:" + silent.getLocalPort() + ",127.0.0.1:" + postgres.port())
                    + "targetServerType=primary&sslmode=disable&connectTimeout=" + SILENT_WAIT_SECONDS
                    + "&socketTimeout=" + SILENT_WAIT_SECONDS;
            ConnectionSource source = DataSourceLocator.locate(container.getBeanManager(),
                    settings(url, postgres.user(), postgres.password()));
            int port = assertTimeoutPreemptively(PATIENCE, () -> {
                try (Connection connection = source.connect();
                     PreparedStatement query = connection.prepareStatement("SELECT inet_server_port()");
                     ResultSet row = query.executeQuery()) {
                    row.next();
                    return row.getInt(1);
                }
            }, "the connect waited on the silent host");
            assertThat(port).as("the server that answered").isEqualTo(postgres.port());
        }
    }

    @Test
    void aHostThatRefusedIsAskedAgainWhileAnotherIsSilent() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             RefusingThenForwarding promoted = new RefusingThenForwarding(postgres.port());
             WeldContainer container = emptyContainer()) {
            String url = withHosts(postgres.url(), "127.0.0.1:" + silent.getLocalPort() + ",127.0.0.1:" + promoted.port())
                    + "targetServerType=primary&sslmode=disable&connectTimeout=" + SILENT_WAIT_SECONDS
                    + "&socketTimeout=" + SILENT_WAIT_SECONDS;
            ConnectionSource source = DataSourceLocator.locate(container.getBeanManager(),
                    settings(url, postgres.user(), postgres.password()));
            CompletableFuture<Connection> connect = CompletableFuture.supplyAsync(() -> {
                try {
                    return source.connect();
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            // refused, and asked again while the silent host is still waited on: then it becomes a server
            await("the refusing host asked again").atMost(PATIENCE).until(() -> promoted.refused() >= 2);
            promoted.forward();
            try (Connection connection = connect.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                assertThat(connection.isValid(5)).as("the connection through the host that answered at last").isTrue();
            }
        }
    }

    @Test
    void whenNoHostGivesAConnectionTheServersAnswerIsReported() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        try (RefusingThenForwarding refusing = new RefusingThenForwarding(postgres.port());
             WeldContainer container = emptyContainer()) {
            String url = withHosts(postgres.url(), "127.0.0.1:" + refusing.port() + ",127.0.0.1:" + postgres.port())
                    + "targetServerType=primary";
            url = url.replaceFirst("/[^/?]*\\?", "/no_such_database_here?"); // the server answers: no such database
            ConnectionSource source = DataSourceLocator.locate(container.getBeanManager(),
                    settings(url, postgres.user(), postgres.password()));
            SQLException failure = assertTimeoutPreemptively(PATIENCE,
                    () -> catchThrowableOfType(source::connect, SQLException.class));
            assertThat(failure.getSQLState()).as("what the user must fix, not the first host's refusal: %s", failure)
                    .isEqualTo("3D000");
            assertThat(failure.getSuppressed()).as("the refusing host's failure, kept").isNotEmpty();
        }
    }

    @Test
    void ofTwoAnswersTheLaterIsClosed() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        String name = "host-race-" + System.nanoTime();
        String host = "127.0.0.1:" + postgres.port();
        String url = withHosts(postgres.url(), host + "," + host) + "targetServerType=primary&ApplicationName=" + name;
        try (WeldContainer container = emptyContainer()) {
            ConnectionSource source = DataSourceLocator.locate(container.getBeanManager(),
                    settings(url, postgres.user(), postgres.password()));
            try (Connection kept = source.connect(); Connection observer = java.sql.DriverManager.getConnection(postgres.url(),
                         postgres.user(), postgres.password())) {
                assertThat(kept.isValid(5)).isTrue();
                await("the losing connection closed").atMost(PATIENCE)
                        .until(() -> backends(observer, name) == 1);
            }
        }
    }

    private static int backends(Connection observer, String applicationName) throws SQLException {
        try (PreparedStatement query = observer.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            query.setString(1, applicationName);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** The shared server's URL with another host list, ending where a parameter can be added. */
    private static String withHosts(String url, String hosts) {
        int start = url.indexOf("//") + 2;
        int slash = url.indexOf('/', start);
        String rest = url.substring(slash);
        return url.substring(0, start) + hosts + rest + (rest.contains("?") ? "&" : "?");
    }

    private static HighlanderSettings settings(String url, String user, String password) {
        return HighlanderSettings.builder().nodeId("a").lease(LEASE).jdbcUrl(url, user, password).build();
    }

    private static WeldContainer emptyContainer() {
        return new Weld("host-race-" + System.nanoTime()).disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(DataSourceLocatorTest.Anchor.class) // Weld SE wants at least one class
                .initialize();
    }
}
