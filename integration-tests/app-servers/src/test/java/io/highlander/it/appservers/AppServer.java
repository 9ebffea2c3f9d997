package io.highlander.it.appservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * An application server installation (downloaded from Maven Central and unpacked by the build) that can
 * make instances running the example WAR, configured with the example's own server-config files.
 */
abstract class AppServer {

    /** The lease the test nodes run with: short, so that the crash bound is short too. */
    static final String LEASE = "3s";

    final Path servers = Path.of(required("it.servers.dir"));
    final Path example = Path.of(required("it.example.dir"));
    final Path javaHome = Path.of(required("it.server.java.home"));
    final Path work;
    final Path war = servers.resolve("highlander-example.war");

    AppServer(String directory) {
        work = Path.of(required("it.work.dir")).resolve(directory);
    }

    /**
     * How one node is set up.
     *
     * @param nodeId          its {@code highlander.node-id}
     * @param jndiName        its {@code highlander.datasource.jndi}
     * @param database        where the server's DataSource points
     * @param driverInstalled whether the PostgreSQL driver is installed in the server
     */
    record Node(String nodeId, String jndiName, Database database, boolean driverInstalled) {
    }

    abstract String product();

    abstract String version();

    /** @return the JNDI name of the example's DataSource on this server */
    abstract String jndiName();

    /** @return the JNDI name of a DataSource the server ships with that is not PostgreSQL, if any */
    abstract Optional<String> builtInDataSource();

    /** @return what the server logs when its DataSource's JDBC driver is not installed */
    abstract String missingDriverSymptom();

    /** @return a prepared, not yet started, instance running the example WAR */
    ServerInstance instance(String name, Node node) throws IOException, InterruptedException {
        return instance(name, node, war);
    }

    /**
     * @param application the WAR to deploy; its file name (without {@code .war}) is the context root
     * @return a prepared, not yet started, instance running that WAR
     */
    abstract ServerInstance instance(String name, Node node, Path application) throws IOException, InterruptedException;

    /**
     * @return why this installation cannot run Jakarta Concurrency 3.1 scheduled asynchronous methods
     *         ({@code @Asynchronous(runAt = …)}, Jakarta EE 11), read off its files; empty if it can
     */
    abstract Optional<String> withoutScheduledAsynchronousMethods() throws IOException;

    /** @return the JDK the servers run on, as its {@code release} file tells */
    String jdk() {
        Properties release = new Properties();
        try (var in = Files.newInputStream(javaHome.resolve("release"))) {
            release.load(in);
        } catch (IOException e) {
            return javaHome.toString();
        }
        return unquote(release.getProperty("IMPLEMENTOR", "")) + " " + unquote(release.getProperty("JAVA_VERSION", "?"));
    }

    /** @return the variables the example's server configurations read */
    static Map<String, String> databaseEnvironment(Database database) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PG_HOST", database.host());
        environment.put("PG_PORT", String.valueOf(database.port()));
        environment.put("PG_DATABASE", database.name());
        environment.put("PG_USER", database.user());
        environment.put("PG_PASSWORD", database.password());
        return environment;
    }

    /** @return the node's Highlander settings as {@code -D} options */
    static List<String> highlanderProperties(Node node) {
        return List.of("-Dhighlander.node-id=" + node.nodeId(), "-Dhighlander.lease=" + LEASE,
                "-Dhighlander.datasource.jndi=" + node.jndiName());
    }

    /** @return a free loopback port (free now; good enough on a machine that does not hand out ports in a race) */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int randomBetween(int low, int high) {
        return ThreadLocalRandom.current().nextInt(low, high);
    }

    static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static Path only(Path directory, String glob) throws IOException {
        try (var found = Files.newDirectoryStream(directory, glob)) {
            var iterator = found.iterator();
            if (!iterator.hasNext()) {
                throw new IllegalStateException("nothing matches " + glob + " in " + directory
                        + "; did the build's pre-integration-test phase run?");
            }
            return iterator.next();
        }
    }

    /** Runs a command to completion, failing with its output if it fails. */
    static void run(List<String> command, Map<String, String> environment, Path log) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("JBOSS_HOME");
        builder.environment().remove("JAVA_OPTS");
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s:\n" + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with " + process.exitValue() + ":\n"
                    + Files.readString(log));
        }
    }

    private static String unquote(String text) {
        return text.replace("\"", "");
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set; run through mvn verify");
        }
        return value;
    }

    @Override
    public String toString() {
        return product() + " " + version();
    }
}
