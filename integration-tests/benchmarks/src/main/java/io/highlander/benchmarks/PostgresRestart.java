package io.highlander.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pg_ctl restart -m fast}, done with signals as the fault suite's {@code PostgresControl} does it: SIGINT
 * to the postmaster (fast shutdown: every session is ended with 57P01 and every lock released), then a new
 * postmaster with the command line recorded in {@code postmaster.opts} (in a user namespace when we are root, as
 * zonky starts it). Only for the benchmark's own embedded servers; {@link PostgresServer#close()} stops the new
 * postmaster through {@code pg_ctl stop}, which finds it by its pid file.
 */
final class PostgresRestart {

    private final PostgresServer server;
    private final Path dataDirectory;
    private final List<String> commandLine;

    private PostgresRestart(PostgresServer server, Path dataDirectory, List<String> commandLine) {
        this.server = server;
        this.dataDirectory = dataDirectory;
        this.commandLine = commandLine;
    }

    static PostgresRestart of(PostgresServer server) throws SQLException, IOException {
        try (Connection connection = server.connect("postgres"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('data_directory')")) {
            row.next();
            Path data = Path.of(row.getString(1));
            return new PostgresRestart(server, data, parse(Files.readString(data.resolve("postmaster.opts")).trim()));
        }
    }

    /**
     * Stops the server (fast) and starts it again at once.
     *
     * @return the instant (epoch µs) just before the new postmaster was launched
     */
    long fast() throws IOException, InterruptedException {
        long pid = postmasterPid();
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
        long deadline = System.nanoTime() + 30_000_000_000L;
        // the postmaster removes its pid file as the last step of its shutdown; its /proc entry can outlive that
        // as a zombie until whoever started it reaps it (zonky's pg_ctl does not wait for it)
        while (Files.exists(dataDirectory.resolve("postmaster.pid")) && running(pid)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the postmaster " + pid + " did not stop within 30 s");
            }
            Thread.sleep(5);
        }
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U")); // as zonky does: PostgreSQL refuses to run as root
        }
        command.addAll(commandLine);
        long launched = Clock.micros();
        Process postmaster = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDirectory.resolve("restart.log").toFile()))
                .start();
        deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Connection connection = server.connect("postgres")) {
                if (connection.isValid(1)) {
                    return launched;
                }
            } catch (SQLException e) {
                // still starting
            }
            if (System.nanoTime() > deadline || !postmaster.isAlive()) {
                postmaster.destroyForcibly(); // by its PID: nothing half-started stays behind
                throw new IOException("PostgreSQL did not come back: " + commandLine);
            }
            Thread.sleep(10);
        }
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

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
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
