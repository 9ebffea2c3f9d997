package io.highlander.faults;

import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops and starts the embedded test server, as {@code pg_ctl} would: a signal to the postmaster (SIGINT:
 * fast shutdown, SIGQUIT: immediate), and a new postmaster with the command line recorded in
 * {@code postmaster.opts} (in a user namespace when we are root, as zonky starts it). Whatever it started, it stops by
 * its PID when the JVM exits; a postmaster that does not come up is ended at once; and a test that fails while the
 * server is down leaves it to {@link #ensureRunning()}, so that the next test finds it up.
 * Only the embedded provider can be restarted; elsewhere the restart tests are skipped.
 */
final class PostgresControl {

    private final TestPostgres postgres;
    private final Path dataDirectory;
    private final List<String> commandLine;
    private boolean stopHookAdded;

    private PostgresControl(TestPostgres postgres, Path dataDirectory, List<String> commandLine) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.commandLine = commandLine;
    }

    static PostgresControl of(TestPostgres postgres) throws SQLException, IOException {
        try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('data_directory')")) {
            row.next();
            Path data = Path.of(row.getString(1));
            return new PostgresControl(postgres, data, parse(Files.readString(data.resolve("postmaster.opts")).trim()));
        }
    }

    /** Starts the server again if a test left it stopped. */
    void ensureRunning() throws IOException {
        if (!running()) {
            start();
        }
    }

    private boolean running() throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        return Files.exists(pidFile) && Files.exists(Path.of("/proc", Long.toString(postmasterPid())));
    }

    /** @param mode {@code fast} or {@code immediate} */
    void stop(String mode) throws IOException {
        long pid = postmasterPid();
        signal(pid, mode.equals("immediate") ? "QUIT" : "INT");
        // the postmaster removes its pid file as the last step of its shutdown; its /proc entry can outlive that as
        // a zombie until its parent reaps it (zonky's pg_ctl leaves it to whoever adopts it), which took 1.5 s here
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
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
     * @return the instant (epoch µs) just before the postmaster was launched: nodes may take the lock before this
     *     method sees the server up, so failover is measured from here (it includes the server's start-up)
     */
    long start() throws IOException {
        long launched = NodeMain.micros();
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U")); // as zonky does: PostgreSQL refuses to run as root
        }
        command.addAll(commandLine);
        ProcessBuilder postmaster = new ProcessBuilder(command);
        postmaster.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDirectory.resolve("restart.log").toFile()));
        Process started = postmaster.start();
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password())) {
                    return connection.isValid(1);
                }
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            started.destroyForcibly(); // by its PID: nothing half-started stays behind
            throw new IOException("PostgreSQL did not come back: " + commandLine + System.lineSeparator()
                    + Files.readString(dataDirectory.resolve("restart.log")), e);
        }
        if (!stopHookAdded) {
            stopHookAdded = true;
            Runtime.getRuntime().addShutdownHook(new Thread(this::stopAtExit, "restarted-postgres-stop"));
        }
        return launched;
    }

    private void stopAtExit() {
        try {
            long pid = postmasterPid();
            signal(pid, "INT");
            for (int i = 0; i < 100 && Files.exists(Path.of("/proc", Long.toString(pid))); i++) {
                Thread.sleep(100);
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
        java.util.regex.Matcher quoted = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(options);
        while (quoted.find()) {
            arguments.add(quoted.group(1));
        }
        return arguments;
    }
}
