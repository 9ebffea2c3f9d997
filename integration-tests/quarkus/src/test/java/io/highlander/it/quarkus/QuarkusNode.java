package io.highlander.it.quarkus;

import io.highlander.testing.processes.NodeCommand;
import io.highlander.testing.processes.NodeProcess;
import io.highlander.testing.processes.NodeProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One instance of the packaged Quarkus example, {@code quarkus-run.jar}, on a loopback port of its own, started
 * through the shared launcher ({@code testing/node-processes}): its output copied to a log file, stopped by its PID,
 * and stopped by the launcher should the test JVM exit first.
 */
final class QuarkusNode implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** What {@code java -jar quarkus-run.jar} runs: the fast-jar's entry point, found through the jar's manifest. */
    private static final String ENTRY_POINT = "io.quarkus.bootstrap.runner.QuarkusEntryPoint";
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final String name;
    private final int port;
    private final Path log;
    private final NodeProcesses group;
    private final NodeProcess process;

    private QuarkusNode(String name, int port, Path log, NodeProcesses group, NodeProcess process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.group = group;
        this.process = process;
    }

    /**
     * @param name     the node id, also the log file's name
     * @param app      the {@code quarkus-run.jar}
     * @param workDir  where logs go
     * @param jdbcUrl  the database every node shares
     * @param user     its user
     * @param password its password
     * @return the started process (not yet answering)
     */
    static QuarkusNode start(String name, Path app, Path workDir, String jdbcUrl, String user, String password)
            throws IOException {
        int port = freePort();
        Path log = workDir.resolve(name + ".log");
        Files.createDirectories(workDir);
        Files.deleteIfExists(log); // the copy appends
        NodeCommand command = NodeCommand.of(ENTRY_POINT).name(name)
                .classPath(app.toString()) // the jar's manifest brings the rest, as with java -jar
                .jvmOptions("-Xmx128m")
                .systemProperty("quarkus.http.host", "127.0.0.1")
                .systemProperty("quarkus.http.port", String.valueOf(port))
                .systemProperty("quarkus.datasource.jdbc.url", jdbcUrl)
                .systemProperty("quarkus.datasource.username", user)
                .systemProperty("highlander.node-id", name)
                // the password through the environment, not the command line that ps shows
                .environment(environment -> environment.put("QUARKUS_DATASOURCE_PASSWORD",
                        password == null ? "" : password))
                .stderrMergedIntoStdout()
                .stdoutCopiedTo(log);
        NodeProcesses group = new NodeProcesses(name, GRACE);
        return new QuarkusNode(name, port, log, group, group.start(command));
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /** @return whether the node still runs, or its output is still being read: once false, its log is complete */
    boolean alive() {
        return !process.onExit().isDone();
    }

    /**
     * @param path an HTTP path
     * @return the status code and body, or null while the node does not answer
     */
    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
    }

    /**
     * @param path an HTTP path
     * @return the status code and body of a {@code POST} without a body, or null while the node does not answer
     */
    HttpResponse<String> post(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** @return where the node's output goes */
    Path logFile() {
        return log;
    }

    /** @return the node's output so far */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL to its PID, and waits until it is gone. */
    void kill() throws InterruptedException {
        process.stop(Duration.ZERO);
    }

    /** SIGTERM, then SIGKILL if it has not stopped in 30 s. */
    @Override
    public void close() {
        group.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", port " + port + ")";
    }
}
