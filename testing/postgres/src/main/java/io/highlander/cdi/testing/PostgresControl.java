package io.highlander.cdi.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stops and starts an embedded server, as {@code pg_ctl} would: a signal to the postmaster ({@link Shutdown}), and
 * a new postmaster with the command line recorded in {@code postmaster.opts} (so the same data directory, port and
 * settings; in a user namespace when we are root, as zonky starts it). Whatever it started, it stops by its PID
 * when the JVM exits; a postmaster that does not come up is ended at once; and a caller that failed while the
 * server was down can call {@link #ensureRunning()}, so that the next user finds it up. {@link TestPostgres#close()}
 * also stops a postmaster started here, as {@code pg_ctl stop} finds it by its pid file.
 * Only an embedded server can be restarted ({@link TestPostgres#isEmbedded()}).
 */
public final class PostgresControl {

    /** How the postmaster is told to stop. */
    public enum Shutdown {
        /** {@code pg_ctl stop -m fast}, SIGINT: every session is ended (57P01) and a checkpoint written. */
        FAST("INT"),
        /** {@code pg_ctl stop -m immediate}, SIGQUIT: a crash; no checkpoint, recovery at the next start. */
        IMMEDIATE("QUIT");

        private final String signal;

        Shutdown(String signal) {
            this.signal = signal;
        }
    }

    private static final Duration BOUND = Duration.ofSeconds(30);

    private final TestPostgres postgres;
    private final Path dataDirectory;
    private final List<String> commandLine;
    private boolean stopHookAdded;

    private PostgresControl(TestPostgres postgres, Path dataDirectory, List<String> commandLine) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.commandLine = commandLine;
    }

    /**
     * @param postgres an embedded server that runs
     * @return its control
     * @throws IllegalArgumentException if the server is not an embedded one
     * @throws SQLException             if it cannot be asked for its data directory
     * @throws IOException              if its {@code postmaster.opts} cannot be read
     */
    public static PostgresControl of(TestPostgres postgres) throws SQLException, IOException {
        if (!postgres.isEmbedded()) {
            throw new IllegalArgumentException("only an embedded server can be restarted, not " + postgres
                    + "; skip the test for other providers (TestPostgres.isEmbedded())");
        }
        try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('data_directory')")) {
            row.next();
            Path data = Path.of(row.getString(1));
            return new PostgresControl(postgres, data, parse(Files.readString(data.resolve("postmaster.opts")).trim()));
        }
    }

    /**
     * Starts the server again if it was left stopped.
     *
     * @throws IOException if it does not come back
     */
    public void ensureRunning() throws IOException {
        if (!running()) {
            start();
        }
    }

    private boolean running() throws IOException {
        return Files.exists(dataDirectory.resolve("postmaster.pid")) && running(postmasterPid());
    }

    /**
     * Stops the server and returns once its postmaster is gone.
     *
     * @param shutdown how
     * @throws IOException if its pid file cannot be read
     */
    public void stop(Shutdown shutdown) throws IOException {
        long pid = postmasterPid();
        signal(pid, shutdown.signal);
        // the postmaster removes its pid file as the last step of its shutdown; its /proc entry can outlive that as
        // a zombie until its parent reaps it (zonky's pg_ctl leaves it to whoever adopts it), which took 1.5 s here
        await().atMost(BOUND).pollInterval(Duration.ofMillis(5))
                .until(() -> !Files.exists(dataDirectory.resolve("postmaster.pid")) || !running(pid));
    }

    /** @return whether the process exists and is not a zombie */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 1).trim().startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts the server again and returns once it accepts connections.
     *
     * @return the instant (epoch µs) just before the postmaster was launched: clients may reconnect before this
     *     method sees the server up, so a failover is measured from here (it includes the server's start-up)
     * @throws IOException if it does not accept connections within 30 s (the postmaster is then ended)
     */
    public long start() throws IOException {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U")); // as zonky does: PostgreSQL refuses to run as root
        }
        command.addAll(commandLine);
        ProcessBuilder postmaster = new ProcessBuilder(command);
        postmaster.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDirectory.resolve("restart.log").toFile()));
        long launched = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        Process started = postmaster.start();
        try {
            await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).ignoreExceptionsInstanceOf(SQLException.class).until(() -> {
                if (!started.isAlive()) {
                    throw new IllegalStateException("the postmaster exited"); // not ignored: ends the wait
                }
                try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(),
                        postgres.password())) {
                    return connection.isValid(1);
                }
            });
        } catch (RuntimeException e) { // timed out, or the postmaster exited
            started.destroyForcibly(); // by its PID: nothing half-started stays behind
            throw new IOException("PostgreSQL did not come back: " + commandLine + System.lineSeparator()
                    + Files.readString(dataDirectory.resolve("restart.log")), e);
        }
        synchronized (this) {
            if (!stopHookAdded) {
                stopHookAdded = true;
                Runtime.getRuntime().addShutdownHook(new Thread(this::stopAtExit, "restarted-postgres-stop"));
            }
        }
        return launched;
    }

    /** The JVM's exit, when nobody closed the server: a fast shutdown, bounded. */
    private void stopAtExit() {
        try {
            if (!Files.exists(dataDirectory.resolve("postmaster.pid"))) {
                return;
            }
            long pid = postmasterPid();
            signal(pid, Shutdown.FAST.signal);
            long deadline = System.nanoTime() + BOUND.toNanos() / 3;
            while (running(pid) && System.nanoTime() < deadline) {
                Thread.sleep(20); // a plain loop: in a shutdown hook, Awaitility's executor may be gone already
            }
        } catch (IOException | InterruptedException e) {
            // already stopped
        }
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    }

    private static void signal(long pid, String signal) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code /bin/postgres "-D" "/data" "-p" "5432"} → its arguments. */
    private static List<String> parse(String options) {
        List<String> arguments = new ArrayList<>();
        int space = options.indexOf(' ');
        arguments.add(space < 0 ? options : options.substring(0, space));
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(options);
        while (quoted.find()) {
            arguments.add(quoted.group(1));
        }
        return arguments;
    }
}
