package io.highlander.faults;

import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.PostgresControl;
import io.highlander.cdi.testing.TcpProxy;
import io.highlander.cdi.testing.TestPostgres;
import io.highlander.testing.processes.NodeCommand;
import io.highlander.testing.processes.NodeProcess;
import io.highlander.testing.processes.NodeProcesses;
import io.highlander.testing.processes.Signal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Three (or more) node processes, each reaching PostgreSQL through a {@link TcpProxy} of its own so that
 * any of them can be cut off. Every process is killed by PID when the cluster closes, or when the JVM exits
 * without closing it (the shared {@link NodeProcesses} group; and a node ends itself when this JVM is gone).
 */
final class FaultCluster implements AutoCloseable {

    static final Duration LEASE = Duration.ofSeconds(2);
    static final Duration HEARTBEAT = Duration.ofMillis(300);
    static final Duration STOP_MARGIN = LEASE.dividedBy(10);
    static final Duration STANDBY_INTERVAL = Duration.ofSeconds(1);
    static final Duration TICK = Duration.ofMillis(10);
    /** Nodes that wait with {@code pg_try_advisory_lock} polling; the others block in {@code pg_advisory_lock}. */

    private static String classPath;

    private final TestPostgres postgres;
    private final String databaseUrl;
    private final Path directory;
    private final Map<String, TcpProxy> proxies = new LinkedHashMap<>();
    private final NodeProcesses group = new NodeProcesses("fault-nodes", Duration.ZERO);
    private final Map<String, NodeProcess> processes = new LinkedHashMap<>();
    private final Map<String, Long> launchedAt = new LinkedHashMap<>();
    private final Histories.Reader reader;
    private final List<String> createdRoles = new ArrayList<>();
    private String nodeUser;
    private String nodePassword;
    private long preDestroyMillis;
    private String placement = "first-come";
    private Class<?> nodeMain = NodeMain.class;
    private final Map<String, Map<String, String>> nodeProperties = new LinkedHashMap<>();

    FaultCluster(String name) throws IOException {
        postgres = TestPostgres.shared();
        databaseUrl = postgres.newDatabase();
        nodeUser = postgres.user();
        nodePassword = postgres.password();
        directory = Path.of(System.getProperty("faults.dir", "target/faults"), name);
        Files.createDirectories(directory);
        reader = new Histories.Reader(directory);
        try (var old = Files.newDirectoryStream(directory, "*.{log,out}")) {
            for (Path file : old) {
                Files.delete(file);
            }
        }
    }

    /**
     * Creates a login role with settings of its own in this cluster's database ({@code ALTER ROLE … IN DATABASE
     * … SET}, as an administrator would); nodes started from now on connect as it.
     *
     * @param settings parameter name → value, e.g. {@code statement_timeout → 100ms}
     * @return the role's name
     */
    String connectNodesAsRoleWith(Map<String, String> settings) throws SQLException {
        String role = databaseName() + "_role";
        String password = java.util.UUID.randomUUID().toString();
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            // names we made ourselves and parameter names from the test, never user input
            statement.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
            createdRoles.add(role);
            for (Map.Entry<String, String> setting : settings.entrySet()) {
                statement.execute("ALTER ROLE " + role + " IN DATABASE " + databaseName() + " SET " + setting.getKey()
                        + " = '" + setting.getValue() + "'");
            }
        }
        nodeUser = role;
        nodePassword = password;
        return role;
    }

    /**
     * @param parameter a run-time parameter
     * @return its value in a session of the nodes' role over TCP, as the nodes see it
     */
    String nodeSetting(String parameter) throws SQLException {
        try (Connection connection = DriverManager.getConnection(withoutUser(databaseUrl), nodeUser, nodePassword);
             PreparedStatement show = connection.prepareStatement("SELECT current_setting(?)")) {
            show.setString(1, parameter);
            try (ResultSet row = show.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    /** @param placement {@code highlander.placement} of the nodes started from now on ({@code first-come}, {@code balanced}) */
    void placement(String placement) {
        this.placement = placement;
    }

    /** @return how many node sessions hold their liveness lock in the cluster's database now */
    int liveNodeSessions() throws SQLException {
        try (Connection connection = connect();
             PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype ="
                     + " 'advisory' AND granted AND objsubid = 1 AND mode = 'ExclusiveLock' AND database ="
                     + " (SELECT oid FROM pg_database WHERE datname = current_database())");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
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
     * Runs another node main from now on (one that writes the same {@code EVENT} lines into {@code faults.history},
     * e.g. {@link RunOnceNodeMain}), instead of {@link NodeMain}.
     */
    void nodeMain(Class<?> main) {
        nodeMain = main;
    }

    /** Adds a system property to one node's command line, from its next start on. */
    void nodeProperty(String node, String key, String value) {
        nodeProperties.computeIfAbsent(node, n -> new LinkedHashMap<>()).put(key, value);
    }

    /** Writes one line to a node's stdin (a command to a node main that reads them). */
    void send(String node, String line) {
        if (!processes.get(node).send(line)) {
            throw new AssertionError("node " + node + " did not take the command " + line);
        }
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

    /**
     * Launches a node and returns at once, for a node whose start may fail or succeed (the test then waits on
     * what it says).
     *
     * @param jdbcUrl the node's JDBC URL, or {@code null} for its own proxy
     */
    void launchOnly(String node, String jdbcUrl) throws IOException {
        launch(node, jdbcUrl);
    }

    /**
     * Starts a node that must fail to deploy, and waits until its process has ended.
     *
     * @param jdbcUrl the node's JDBC URL, or {@code null} for its own proxy
     * @param bound   how long the deployment may take to fail
     * @return the process's exit code
     */
    int startExpectingFailure(String node, String jdbcUrl, Duration bound) throws IOException, InterruptedException {
        launch(node, jdbcUrl);
        NodeProcess process = processes.get(node);
        if (!process.awaitExit(bound)) {
            throw new AssertionError("node " + node + " was expected to fail at deployment but still runs after " + bound);
        }
        return process.exitCode().orElseThrow();
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
        url = withoutUser(url);
        NodeCommand command = NodeCommand.of(nodeMain).name(node)
                .jvmOptions("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .systemProperty("highlander.node-id", node)
                .systemProperty("faults.jdbc.url", url)
                .systemProperty("faults.jdbc.user", nodeUser)
                .systemProperty("highlander.lease", LEASE.toMillis() + "ms")
                .systemProperty("highlander.heartbeat", HEARTBEAT.toMillis() + "ms")
                .systemProperty("highlander.standby.interval", STANDBY_INTERVAL.toMillis() + "ms")
                .systemProperty("faults.history", directory.resolve(node + ".log").toString())
                .systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn")
                .systemProperty("faults.preDestroyMillis", Long.toString(preDestroyMillis))
                .systemProperty("highlander.placement", placement)
                .classPath(nodeClassPath())
                // the node's console (its log), kept for outputLines and for a look after a failure
                .stderrMergedIntoStdout()
                .stdoutCopiedTo(directory.resolve(node + ".out"));
        if (nodePassword != null) {
            command.systemProperty("faults.jdbc.password", nodePassword);
        }
        nodeProperties.getOrDefault(node, Map.of()).forEach(command::systemProperty);
        long launching = NodeMain.micros();
        NodeProcess process = group.start(command);
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

    /** @return every node whose process is alive, with its PID */
    Map<String, Long> alivePids() {
        Map<String, Long> alive = new LinkedHashMap<>();
        processes.forEach((node, process) -> {
            if (process.isAlive()) {
                alive.put(node, process.pid());
            }
        });
        return alive;
    }

    /**
     * This JVM's class path, with our own snapshot jars copied aside first: a concurrent {@code mvn install}
     * must not swap a jar under a node that is still loading classes from it. HikariCP must be on it: the
     * nodes take their connections from a HikariCP pool.
     */
    static synchronized String nodeClassPath() throws IOException {
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
            if (entries.stream().noneMatch(entry -> Path.of(entry).getFileName().toString().startsWith("HikariCP"))) {
                throw new IllegalStateException("HikariCP is not on the class path of the node processes: " + entries);
            }
            classPath = String.join(java.io.File.pathSeparator, entries);
        }
        return classPath;
    }

    List<String> nodes() {
        return List.copyOf(processes.keySet());
    }

    /**
     * Sends a signal ({@code KILL}, {@code TERM}, {@code STOP}, {@code CONT}) to a node's process by its PID (SIGKILL
     * and SIGTERM directly, without a fork); after KILL or TERM, waits (up to 30 s) until it has ended.
     */
    void signal(String node, String signal) throws IOException, InterruptedException {
        NodeProcess process = processes.get(node);
        process.signal(Signal.valueOf(signal));
        if (signal.equals("KILL") || signal.equals("TERM")) {
            process.awaitExit(Duration.ofSeconds(30));
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

    /**
     * Ends, from the server side, every session of the node that holds a granted advisory lock — the leader's
     * lock session(s), whatever the lock layer calls them, never a session that only waits or a pooled connection
     * (which holds no lock: {@link ConnectionAudit}). A session is the node's when its {@code application_name}
     * ends in {@code :<node>} ({@code highlander:<node>}, {@code pool:<node>}).
     *
     * @return how many sessions were ended
     */
    int terminateLockHoldersOf(String node) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement terminate = connection.prepareStatement("SELECT count(*) FILTER (WHERE"
                     + " pg_terminate_backend(a.pid)) FROM pg_stat_activity a WHERE a.datname = current_database()"
                     + " AND a.application_name LIKE '%:' || ? AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid"
                     + " AND l.locktype = 'advisory' AND l.granted)")) {
            terminate.setString(1, node);
            try (ResultSet row = terminate.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** A backend of this cluster's database, as the server sees it. */
    record Backend(int pid, String applicationName, String user, String state) {
    }

    /** @return every backend holding a granted advisory lock in this cluster's database (one row per lock) */
    List<Backend> advisoryLockHolders() throws SQLException {
        return backends("SELECT l.pid, a.application_name, a.usename, a.state FROM pg_locks l LEFT JOIN pg_stat_activity a"
                + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database ="
                + " (SELECT oid FROM pg_database WHERE datname = current_database())");
    }

    /**
     * @param mode {@code ExclusiveLock}: the node sessions' own liveness locks; {@code ShareLock}: a watcher's
     *             grant, which it lets go in the statement that got it, so one still held after a settle is stuck
     * @return every backend of this cluster's database holding a liveness lock (one bigint key) in that mode
     */
    List<Backend> livenessLockHolders(String mode) throws SQLException {
        String sql = "SELECT l.pid, a.application_name, a.usename, a.state FROM pg_locks l LEFT JOIN pg_stat_activity a"
                + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.mode = ?"
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";
        try (Connection connection = connect();
             PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, mode);
            try (ResultSet rows = query.executeQuery()) {
                List<Backend> backends = new ArrayList<>();
                while (rows.next()) {
                    backends.add(new Backend(rows.getInt(1), rows.getString(2), rows.getString(3), rows.getString(4)));
                }
                return backends;
            }
        }
    }

    /** @return every backend of this cluster's database named as a lock session ({@code highlander:<node>}) */
    List<Backend> lockSessions() throws SQLException {
        return backends("SELECT pid, application_name, usename, state FROM pg_stat_activity WHERE datname = current_database()"
                + " AND application_name LIKE 'highlander:%'");
    }

    private List<Backend> backends(String sql) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement query = connection.prepareStatement(sql);
             ResultSet rows = query.executeQuery()) {
            List<Backend> backends = new ArrayList<>();
            while (rows.next()) {
                backends.add(new Backend(rows.getInt(1), rows.getString(2), rows.getString(3), rows.getString(4)));
            }
            return backends;
        }
    }

    /**
     * @param text what to look for, e.g. a message id
     * @return every line of the nodes' console output (their log) that contains it, prefixed with the node
     */
    List<String> outputLines(String text) throws IOException {
        List<String> found = new ArrayList<>();
        try (var outputs = Files.newDirectoryStream(directory, "*.out")) {
            for (Path output : outputs) {
                String node = output.getFileName().toString().replaceFirst("\\.out$", "");
                Files.readAllLines(output).stream().filter(line -> line.contains(text))
                        .forEach(line -> found.add(node + ": " + line));
            }
        }
        return found;
    }

    /** @return the live nodes that believe they lead (see {@link Histories#believedLeaders}) */
    List<String> believedLeaders() throws IOException {
        return reader.read().believedLeaders(aliveSince());
    }

    /** @return the node whose session holds the lock, as PostgreSQL sees it */
    Optional<String> lockHolder() {
        try (Connection connection = connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                             + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
                             + " AND a.application_name LIKE 'highlander:%'"
                             + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())");
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
    /**
     * Waits until a single node ticks and holds the lock, then until no live node but the one that holds the lock
     * believes it leads. The holder is read again at each look: under balanced placement the singleton may move by
     * a graceful hand-over after the first wait (a re-balance that began late on a loaded machine), and the check is
     * about stale believers, not about which node leads.
     */
    void awaitOnlyTheHolderBelievesItLeads(Duration leaderBound, Duration believedBound) {
        awaitSingleLeader(leaderBound);
        await().atMost(believedBound).pollInterval(Duration.ofMillis(25))
                .until(() -> {
                    List<String> believed = reader.read().believedLeaders(aliveSince());
                    return believed.size() == 1 && lockHolder().equals(Optional.of(believed.get(0)));
                });
    }

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

    /** A user named in the URL (zonky's URLs name one) would win over the nodes' user. */
    static String withoutUser(String url) {
        return url.replaceFirst("([?&])user=[^&]*&?", "$1").replaceFirst("[?&]$", "");
    }

    /**
     * @param applicationName the session's {@code application_name}
     * @return a new connection to this cluster's database, as the test's superuser
     */
    Connection connect(String applicationName) throws SQLException {
        Connection connection = connect();
        try (PreparedStatement name = connection.prepareStatement("SELECT set_config('application_name', ?, false)")) {
            name.setString(1, applicationName);
            name.executeQuery().close();
        }
        return connection;
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
        group.close(); // SIGKILL to every node still running, a frozen one too
        proxies.values().forEach(TcpProxy::close);
        dropRoles();
    }

    /** Best effort: a role with a live session cannot always be dropped, and the test server is temporary. */
    private void dropRoles() {
        for (String role : createdRoles) {
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                statement.execute("DROP ROLE IF EXISTS " + role);
            } catch (SQLException e) {
                System.out.println("role " + role + " left behind: " + e.getMessage());
            }
        }
        createdRoles.clear();
    }
}
