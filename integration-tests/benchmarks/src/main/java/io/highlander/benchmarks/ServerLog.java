package io.highlander.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server log of a benchmark's own embedded PostgreSQL, read back to count what each node makes the server
 * write: every line carries the session's role ({@code user=%u}), and each node slot logs in as its own role,
 * so an {@code ERROR} line (a blocking wait that ends in {@code lock_timeout}, say) is counted against the node
 * that caused it. Windows are byte ranges of the one log file ({@link #mark()}), so a restart of the server in
 * between changes nothing.
 */
final class ServerLog {

    /** {@code <timestamp> [<pid>] user=<role> app=<application_name>: <LEVEL>:  <message>} */
    private static final Pattern LINE = Pattern.compile("user=(\\S*) app=.*?: (ERROR|FATAL|WARNING|LOG):\\s+(.*)$");

    /** What one role made the server write in a window: lines per level, and the most frequent ERROR/FATAL text. */
    record RoleLines(int errors, int fatals, String commonest) {
    }

    private final Path file;

    private ServerLog(Path file) {
        this.file = file;
    }

    /**
     * @param directory where the server writes its log (absolute, no spaces)
     * @return the server settings that make it write one log file there, with UTC time stamps
     */
    static Map<String, String> settings(Path directory) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("logging_collector", "on");
        settings.put("log_directory", directory.toAbsolutePath().toString());
        settings.put("log_filename", "postgresql.log");
        settings.put("log_timezone", "UTC");
        return settings;
    }

    /**
     * Sets the line prefix (it holds spaces, which the server's command line cannot carry, so it is set with
     * {@code ALTER SYSTEM}) and reloads the configuration.
     *
     * @param server    a server started with {@link #settings(Path)}
     * @param directory the same directory
     */
    static ServerLog open(PostgresServer server, Path directory) throws SQLException, InterruptedException {
        try (Connection connection = server.connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("ALTER SYSTEM SET log_line_prefix = '%m [%p] user=%u app=%a: '"); // constant text
            statement.execute("SELECT pg_reload_conf()");
        }
        Thread.sleep(300); // the postmaster and the logger pick the reload up asynchronously
        return new ServerLog(directory.resolve("postgresql.log"));
    }

    /** @return the current end of the log, the start or end of a window */
    long mark() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** @return per role, the ERROR and FATAL lines the server wrote between two marks */
    Map<String, RoleLines> linesByRole(long from, long to) {
        Map<String, int[]> counts = new TreeMap<>();
        Map<String, Map<String, Integer>> texts = new TreeMap<>();
        for (String line : read(from, to).split("\n")) {
            Matcher match = LINE.matcher(line);
            if (!match.find() || !(match.group(2).equals("ERROR") || match.group(2).equals("FATAL"))) {
                continue;
            }
            String role = match.group(1);
            int[] count = counts.computeIfAbsent(role, r -> new int[2]);
            count[match.group(2).equals("ERROR") ? 0 : 1]++;
            texts.computeIfAbsent(role, r -> new TreeMap<>()).merge(match.group(3).trim(), 1, Integer::sum);
        }
        Map<String, RoleLines> lines = new TreeMap<>();
        counts.forEach((role, count) -> lines.put(role, new RoleLines(count[0], count[1],
                texts.get(role).entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(""))));
        return lines;
    }

    /** @return how many lines between two marks contain the text (e.g. a refused connection's message) */
    int count(long from, long to, String text) {
        int found = 0;
        for (String line : read(from, to).split("\n")) {
            if (line.contains(text)) {
                found++;
            }
        }
        return found;
    }

    private String read(long from, long to) {
        if (to <= from || !Files.exists(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long end = Math.min(to, in.length());
            byte[] bytes = new byte[(int) Math.max(0, end - from)];
            in.seek(from);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
