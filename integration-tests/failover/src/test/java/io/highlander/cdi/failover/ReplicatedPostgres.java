package io.highlander.cdi.failover;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL primary with streaming replicas on loopback, made from Debian's binaries ({@link PgBinaries})
 * in a temporary directory owned by the {@code postgres} user (initdb and pg_ctl refuse root; when this JVM runs
 * as root every server program runs through {@code runuser -u postgres --}). Every WAL segment is archived, so a
 * base backup can be restored to an earlier point. {@link #close()} stops every server by PID and deletes the
 * directory.
 *
 * <p>The nodes use the plain role {@value #ROLE} (no superuser) and its database {@value #DATABASE}; the fixture
 * itself uses the superuser {@code postgres}. Authentication is {@code trust} on loopback only.
 */
final class ReplicatedPostgres implements AutoCloseable {

    static final String ROLE = "app";
    static final String DATABASE = "app";
    private static final String SYSTEM_USER = "postgres";

    private final PgBinaries binaries = PgBinaries.locate();
    private final boolean root = "root".equals(System.getProperty("user.name"));
    private final Path root_;
    private final Path archive;
    private final List<PgServer> servers = new ArrayList<>();
    private int made;

    ReplicatedPostgres() throws IOException {
        root_ = Files.createTempDirectory("highlander-failover-");
        archive = Files.createDirectory(root_.resolve("archive"));
        if (root) {
            UserPrincipalLookupService users = root_.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(root_, users.lookupPrincipalByName(SYSTEM_USER));
            Files.setOwner(archive, users.lookupPrincipalByName(SYSTEM_USER));
        }
    }

    /**
     * Makes and starts a new cluster (initdb) with the application role and database; every WAL segment archived.
     *
     * @param port its port, or 0 for a free one
     * @param settings extra lines for its configuration
     * @return the running primary
     */
    PgServer newCluster(int port, String... settings) throws SQLException {
        PgServer server = server("cluster", port);
        runAsPostgres(binaries.program("initdb"), "-D", server.data().toString(), "-U", SYSTEM_USER, "--auth=trust",
                "--no-sync", "-E", "UTF8", "--locale=C");
        List<String> lines = new ArrayList<>(List.of(
                "wal_level = replica", "max_wal_senders = 10", "hot_standby = on",
                "archive_mode = on",
                // copied under another name and renamed, so that a segment is in the archive whole or not at all
                "archive_command = 'test ! -f " + archive + "/%f && cp %p " + archive + "/%f.part && mv "
                        + archive + "/%f.part " + archive + "/%f'",
                // the tests kill processes, never the machine: the page cache survives every crash here
                "fsync = off", "full_page_writes = off", "shared_buffers = 16MB", "max_connections = 40"));
        lines.addAll(List.of(settings));
        server.configure(lines.toArray(String[]::new));
        server.start();
        try (Connection c = server.superuser(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ROLE + " LOGIN NOSUPERUSER");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
        }
        return server;
    }

    /**
     * Makes and starts a streaming replica of {@code primary} ({@code pg_basebackup -R}) on a free port.
     *
     * @return the running standby
     */
    PgServer replicaOf(PgServer primary) {
        return replicaOn(primary, 0);
    }

    /**
     * Makes and starts a streaming replica of {@code primary} on a given port ({@code pg_basebackup -R}).
     *
     * @param port its port, or 0 for a free one
     * @return the running standby
     */
    PgServer replicaOn(PgServer primary, int port) {
        PgServer replica = server("replica", port);
        runAsPostgres(binaries.program("pg_basebackup"), "-h", "127.0.0.1", "-p", Integer.toString(primary.port()),
                "-U", SYSTEM_USER, "-D", replica.data().toString(), "-R", "-X", "stream", "--checkpoint=fast",
                "--no-sync");
        return replica.start();
    }

    /**
     * Takes a base backup of {@code primary} to restore later ({@link #restore}).
     *
     * @return its directory
     */
    Path baseBackup(PgServer primary) {
        Path backup = root_.resolve("backup-" + (++made));
        runAsPostgres(binaries.program("pg_basebackup"), "-h", "127.0.0.1", "-p", Integer.toString(primary.port()),
                "-U", SYSTEM_USER, "-D", backup.toString(), "-X", "none", "--checkpoint=fast", "--no-sync");
        return backup;
    }

    /**
     * Point-in-time recovery: restores a base backup on {@code port}, replays the archive up to {@code lsn}
     * (inclusive) and promotes.
     *
     * @return the running primary, on a new timeline
     */
    PgServer restore(Path backup, int port, String lsn) {
        PgServer restored = server("restored", port);
        runAsPostgres("cp", "-a", backup.toString(), restored.data().toString());
        restored.configure("restore_command = 'cp " + archive + "/%f %p'", "recovery_target_lsn = '" + lsn + "'",
                "recovery_target_inclusive = on", "recovery_target_action = 'promote'");
        runAsPostgres("touch", restored.data().resolve("recovery.signal").toString());
        restored.start();
        // pg_ctl start -w returns once the server is consistent; the promotion after the target comes a bit later
        await("end of recovery of " + restored).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().until(() -> restored.queryLong("SELECT pg_is_in_recovery()::int") == 0);
        return restored;
    }

    /** Stops a server (immediate) and deletes its data directory, as an HA manager rebuilds a failed primary. */
    void discard(PgServer server) throws IOException {
        server.stop(PgServer.Stop.IMMEDIATE);
        servers.remove(server);
        try (Stream<Path> all = Files.walk(server.data())) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Switches to a new WAL segment on {@code primary} and waits until the archive holds the one it ended. */
    void archiveNow(PgServer primary) throws SQLException {
        String ended;
        try (Connection c = primary.superuser(); Statement s = c.createStatement();
             var row = s.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
            row.next();
            ended = row.getString(1);
        }
        await("archive of " + ended).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(archive.resolve(ended)));
    }

    /**
     * @param servers the servers, in the order the driver tries them
     * @return the multi-host URL a user would write, {@code targetServerType=primary}
     */
    static String url(int... ports) {
        String hosts = java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        // hostRecheckSeconds: how long pgjdbc trusts what it learnt of a host (primary or standby); connectTimeout
        // bounds a connect to a host that does not answer
        return "jdbc:postgresql://" + hosts + "/" + DATABASE + "?targetServerType=primary&hostRecheckSeconds=1"
                + "&connectTimeout=2&socketTimeout=2";
    }

    /**
     * @param ports the servers, in the order the driver tries them
     * @return the multi-host URL with no timeout of its own: the library's bounds apply ({@code ConnectBounds})
     */
    static String bareUrl(int... ports) {
        String hosts = java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        return "jdbc:postgresql://" + hosts + "/" + DATABASE + "?targetServerType=primary&hostRecheckSeconds=1";
    }

    /** @return a URL of one server, with nothing that makes the driver choose: the library's own checks apply */
    static String plainUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?connectTimeout=2&socketTimeout=2";
    }

    /** @return a DataSource of the application role on {@code url} */
    static PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(url);
        source.setUser(ROLE);
        return source;
    }

    /** @return a free loopback port */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    PgBinaries binaries() {
        return binaries;
    }

    Path root() {
        return root_;
    }

    Path sockets() {
        return root_;
    }

    /** Stops every server by PID (immediate: nothing to keep) and deletes the directory. */
    @Override
    public void close() throws IOException {
        RuntimeException first = null;
        for (PgServer server : servers) {
            try {
                server.stop(PgServer.Stop.IMMEDIATE);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        try (Stream<Path> all = Files.walk(root_)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private PgServer server(String kind, int port) {
        PgServer server = new PgServer(this, kind + "-" + (++made), root_.resolve(kind + "-" + made),
                port == 0 ? freePort() : port);
        servers.add(server);
        return server;
    }

    /** Runs a server program as the {@code postgres} user and fails with its output if it fails. */
    void runAsPostgres(String... command) {
        List<String> line = new ArrayList<>();
        if (root) {
            line.addAll(List.of("runuser", "-u", SYSTEM_USER, "--"));
        }
        line.addAll(List.of(command));
        run(line);
    }

    /** Runs a command to its end (at most 2 minutes) and fails with its output if it fails. */
    void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes(); // pg_ctl's children close it when detached
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("failed (" + process.exitValue() + "): " + command + "\n"
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }
}
