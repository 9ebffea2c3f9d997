package io.highlander.cdi.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's pgbouncer in front of one test database: in transaction mode the pooler that session advisory
 * locks cannot work through, in session mode one they work through. Installed from the package registry the first
 * time a test needs it (the suite installs it, nobody by hand); started in a user namespace when we are root, as PostgreSQL is, because
 * pgbouncer refuses to run as root; stopped by its PID.
 */
public final class Pgbouncer implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    /** pgbouncer's {@code pool_mode}: when a server connection goes back to the pool. */
    public enum PoolMode {
        /** After each transaction: clients share backends, session state and session locks leak between them. */
        TRANSACTION,
        /** When the client disconnects: a client keeps its backend, as with a direct connection. */
        SESSION
    }

    private final Process process;
    private final int port;
    private final Path directory;

    private Pgbouncer(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    /**
     * Installs pgbouncer if it is missing and this user may.
     *
     * @return why it is not available, or empty if it is
     */
    public static synchronized Optional<String> ensureInstalled() throws InterruptedException {
        if (Files.isExecutable(BINARY)) {
            return Optional.empty();
        }
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            return Optional.of("pgbouncer is not installed and this user cannot apt-get install it");
        }
        List<String> log = new ArrayList<>();
        for (List<String> step : List.of(
                List.of("apt-get", "install", "-y", "--no-install-recommends", "pgbouncer"),
                List.of("apt-get", "update"),
                List.of("apt-get", "install", "-y", "--no-install-recommends", "pgbouncer"))) {
            if (Files.isExecutable(BINARY)) {
                break;
            }
            try {
                ProcessBuilder builder = new ProcessBuilder(step).redirectErrorStream(true);
                builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
                Process apt = builder.start();
                String output = new String(apt.getInputStream().readAllBytes());
                if (!apt.waitFor(5, TimeUnit.MINUTES)) {
                    apt.destroyForcibly();
                }
                log.add(String.join(" ", step) + " -> " + output.lines().reduce((a, b) -> b).orElse(""));
            } catch (IOException e) {
                log.add(String.join(" ", step) + " -> " + e);
            }
        }
        return Files.isExecutable(BINARY) ? Optional.empty()
                : Optional.of("pgbouncer could not be installed: " + String.join("; ", log));
    }

    /**
     * Starts pgbouncer in transaction mode in front of a database.
     *
     * @see #start(Path, int, String, String, int, boolean, PoolMode)
     */
    public static Pgbouncer start(Path directory, int postgresPort, String database, String user, int poolSize,
                           boolean alternate) throws IOException {
        return start(directory, postgresPort, database, user, poolSize, alternate, PoolMode.TRANSACTION);
    }

    /**
     * Starts pgbouncer in front of a database.
     *
     * @param directory    where its configuration, log and pid file go
     * @param postgresPort the server's port
     * @param database     the database name, served under the same name
     * @param user         the user every pooled connection logs in as
     * @param poolSize     server connections per database/user pair
     * @param alternate    whether to keep {@code poolSize} server connections open and hand them out in turn
     *                     ({@code server_round_robin}), so that a client's statements land on different backends;
     *                     otherwise pgbouncer reuses the most recently used one (LIFO), so that under light load
     *                     all clients share one backend
     * @param mode         its {@code pool_mode}
     * @return the running pgbouncer
     * @throws IOException if it cannot be configured or started
     */
    public static Pgbouncer start(Path directory, int postgresPort, String database, String user, int poolSize,
                           boolean alternate, PoolMode mode) throws IOException {
        Files.createDirectories(directory);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path ini = directory.resolve("pgbouncer.ini");
        Files.writeString(ini, String.join("\n",
                "[databases]",
                database + " = host=127.0.0.1 port=" + postgresPort + " dbname=" + database + " user=" + user,
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = any",
                "pool_mode = " + mode.name().toLowerCase(java.util.Locale.ROOT),
                "default_pool_size = " + poolSize,
                "min_pool_size = " + (alternate ? poolSize : 0),
                "server_round_robin = " + (alternate ? 1 : 0),
                "max_client_conn = 100",
                "server_lifetime = 3600",
                "ignore_startup_parameters = extra_float_digits,options",
                "logfile = " + directory.resolve("pgbouncer.log").toAbsolutePath(),
                "pidfile = " + directory.resolve("pgbouncer.pid").toAbsolutePath(),
                ""));
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U")); // pgbouncer refuses to run as root
        }
        command.addAll(List.of(BINARY.toString(), ini.toAbsolutePath().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("pgbouncer.out").toFile()))
                .start();
        Pgbouncer pgbouncer = new Pgbouncer(process, port, directory);
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IOException("pgbouncer exited: " + Files.readString(directory.resolve("pgbouncer.out")));
                }
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            pgbouncer.close();
            throw e;
        }
        return pgbouncer;
    }

    /** @return the loopback port it listens on */
    public int port() {
        return port;
    }

    /**
     * @param database the database it serves
     * @return a JDBC URL through this pooler; no server-side prepared statements, as transaction mode needs
     */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?prepareThreshold=0";
    }

    /**
     * @param database the database it serves
     * @return a JDBC URL through this pooler with the driver's defaults: server-side prepared statements from the
     *     5th use
     */
    public String defaultUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** @return where its configuration, log and pid file are */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
