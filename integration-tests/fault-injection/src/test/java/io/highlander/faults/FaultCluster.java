package io.highlander.faults;

import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Three (or more) node processes, each reaching PostgreSQL through a {@link TcpProxy} of its own so that
 * any of them can be cut off. Every process is ended by PID when the cluster closes.
 */
final class FaultCluster implements AutoCloseable {

    static final Duration LEASE = Duration.ofSeconds(2);
    static final Duration HEARTBEAT = Duration.ofMillis(300);
    static final Duration STOP_MARGIN = LEASE.dividedBy(10);
    static final Duration STANDBY_INTERVAL = Duration.ofSeconds(1);
    static final Duration TICK = Duration.ofMillis(10);
    /** Nodes that wait with {@code pg_try_advisory_lock} polling; the others block in {@code pg_advisory_lock}. */
    static final java.util.Set<String> POLLING_NODES = java.util.Set.of("c");

    private static String classPath;

    private final TestPostgres postgres;
    private final String databaseUrl;
    private final Path directory;
    private final Map<String, TcpProxy> proxies = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Long> launchedAt = new LinkedHashMap<>();
    private final Histories.Reader reader;
    private long preDestroyMillis;

    FaultCluster(String name) throws IOException {
        postgres = TestPostgres.shared();
        databaseUrl = postgres.newDatabase();
        directory = Path.of(System.getProperty("faults.dir", "target/faults"), name);
        Files.createDirectories(directory);
        reader = new Histories.Reader(directory);
        try (var old = Files.newDirectoryStream(directory, "*.{log,out}")) {
            for (Path file : old) {
                Files.delete(file);
            }
        }
    }

    /** @param millis how long the singleton's {@code @PreDestroy} takes on nodes started from now on */
    void preDestroyTakes(long millis) {
        this.preDestroyMillis = millis;
    }

    Path directory() {
        return directory;
    }

    /** Starts (or restarts) a node behind its proxy, and returns once it is up (one boot at a time). */
    void start(String node) throws IOException {
        start(node, null);
    }

    /**
     * Starts a node that reaches PostgreSQL at another address (e.g. through a pooler) instead of through its
     * proxy, and returns once it is up.
     *
     * @param jdbcUrl the node's JDBC URL, or {@code null} for its own proxy
     */
    void start(String node, String jdbcUrl) throws IOException {
        long since = NodeMain.micros();
        launch(node, jdbcUrl);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(25)).until(() -> reader.read().events()
                .stream().anyMatch(e -> e.node().equals(node) && e.what().equals("started") && e.micros() >= since));
    }

    private void launch(String node, String jdbcUrl) throws IOException {
        String url = jdbcUrl;
        if (url == null) {
            TcpProxy proxy = proxies.computeIfAbsent(node, id -> {
                try {
                    return new TcpProxy(postgresPort());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            url = databaseUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dhighlander.node-id=" + node,
                "-Dhighlander.datasource.url=" + url,
                "-Dhighlander.datasource.user=" + postgres.user(),
                "-Dhighlander.lease=" + LEASE.toMillis() + "ms",
                "-Dhighlander.heartbeat=" + HEARTBEAT.toMillis() + "ms",
                "-Dhighlander.standby.interval=" + STANDBY_INTERVAL.toMillis() + "ms",
                "-Dhighlander.standby.mode=" + (POLLING_NODES.contains(node) ? "polling" : "blocking"),
                "-Dfaults.history=" + directory.resolve(node + ".log"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dfaults.preDestroyMillis=" + preDestroyMillis,
                "-cp", nodeClassPath(),
                NodeMain.class.getName()));
        if (postgres.password() != null) {
            command.add(command.size() - 3, "-Dhighlander.datasource.password=" + postgres.password());
        }
        long launching = NodeMain.micros();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve(node + ".out").toFile()))
                .start();
        processes.put(node, process);
        launchedAt.put(node, launching);
    }

    /** @return every node whose process is alive, with the instant (epoch µs) just before it was launched */
    Map<String, Long> aliveSince() {
        Map<String, Long> alive = new LinkedHashMap<>();
        processes.forEach((node, process) -> {
            if (process.isAlive()) {
                alive.put(node, launchedAt.get(node));
            }
        });
        return alive;
    }

    /**
     * This JVM's class path, with our own snapshot jars copied aside first: a concurrent {@code mvn install}
     * must not swap a jar under a node that is still loading classes from it.
     */
    private static synchronized String nodeClassPath() throws IOException {
        if (classPath == null) {
            Path copies = Files.createDirectories(Path.of(System.getProperty("faults.dir", "target/faults"), "classpath"));
            List<String> entries = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path path = Path.of(entry);
                if (entry.endsWith("-SNAPSHOT.jar") || entry.endsWith("-SNAPSHOT-tests.jar")) {
                    Path copy = copies.resolve(path.getFileName());
                    Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    entries.add(copy.toString());
                } else {
                    entries.add(entry);
                }
            }
            classPath = String.join(java.io.File.pathSeparator, entries);
        }
        return classPath;
    }

    List<String> nodes() {
        return List.copyOf(processes.keySet());
    }

    /** Sends a signal to a node's process by its PID (SIGKILL and SIGTERM directly, without a fork). */
    void signal(String node, String signal) throws IOException, InterruptedException {
        Process process = processes.get(node);
        switch (signal) {
            case "KILL" -> process.destroyForcibly();
            case "TERM" -> process.destroy();
            default -> new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start()
                    .waitFor(10, TimeUnit.SECONDS);
        }
        if (signal.equals("KILL") || signal.equals("TERM")) {
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    TcpProxy proxy(String node) {
        return proxies.get(node);
    }

    /** Ends the node's lock session from the server side. */
    void terminateBackendOf(String node) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement terminate = connection.prepareStatement(
                     "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
            terminate.setString(1, "highlander:" + node);
            terminate.executeQuery().close();
        }
    }

    /** @return the node whose session holds the lock, as PostgreSQL sees it */
    Optional<String> lockHolder() {
        try (Connection connection = connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                             + " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'highlander:%'");
             ResultSet row = query.executeQuery()) {
            return row.next() ? Optional.of(row.getString(1).substring("highlander:".length())) : Optional.empty();
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /**
     * Waits until no live node but the given one believes it leads (its last term since its launch has a
     * {@code LeadershipAcquired} without a {@code LeadershipLost}): a node that thinks it leads while another
     * holds the lock, or a resumed node that never stopped its singleton, ends in a timeout here.
     */
    void awaitOnlyBelievedLeader(String leader, Duration bound) {
        await().atMost(bound).pollInterval(Duration.ofMillis(25))
                .until(() -> reader.read().believedLeaders(aliveSince()), believed -> believed.equals(List.of(leader)));
    }

    /**
     * Waits until exactly one node ticks and holds the lock; a node that thinks it leads without ticking,
     * or a free lock nobody takes, ends in a timeout here.
     */
    String awaitSingleLeader(Duration bound) {
        return awaitLeader(0, bound);
    }

    /** Like {@link #awaitSingleLeader}, and the leader's term began after the instant (a failover happened). */
    String awaitNewLeader(long afterMicros, Duration bound) {
        return awaitLeader(afterMicros, bound);
    }

    private String awaitLeader(long termAfterMicros, Duration bound) {
        return await().atMost(bound).pollInterval(Duration.ofMillis(25)).until(() -> {
            Histories histories = reader.read();
            List<String> ticking = histories.tickingSince(NodeMain.micros() - 300_000);
            if (ticking.size() != 1 || !lockHolder().equals(Optional.of(ticking.get(0)))) {
                return null;
            }
            Optional<Histories.Term> fresh = histories.firstTermAfter(termAfterMicros);
            return fresh.isPresent() ? ticking.get(0) : null;
        }, leader -> leader != null);
    }

    Histories histories() throws IOException {
        return reader.read();
    }

    PostgresControl postgresControl() throws SQLException, IOException {
        return PostgresControl.of(postgres);
    }

    TestPostgres postgres() {
        return postgres;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(databaseUrl, postgres.user(), postgres.password());
    }

    /** @return the name of this cluster's database */
    String databaseName() {
        return databaseUrl.replaceFirst("^jdbc:postgresql://[^/]+/", "").replaceFirst("\\?.*$", "");
    }

    int postgresPort() {
        String hostPort = databaseUrl.replaceFirst("^jdbc:postgresql://", "").replaceFirst("/.*$", "");
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    @Override
    public void close() {
        for (Process process : processes.values()) {
            if (process.isAlive()) {
                try {
                    new ProcessBuilder("kill", "-CONT", Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException e) {
                    // killing it anyway
                }
                process.destroyForcibly();
            }
        }
        for (Process process : processes.values()) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        proxies.values().forEach(TcpProxy::close);
    }
}
