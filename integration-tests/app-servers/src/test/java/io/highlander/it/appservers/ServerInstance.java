package io.highlander.it.appservers;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One server process started by a test: on loopback only, stopped (or killed) by the test and, should the
 * test JVM die first, by a shutdown hook. Only processes started here are ever signalled.
 */
final class ServerInstance implements AutoCloseable {

    /** How long a server may take to boot on a busy 2-core machine before the test gives up. */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 60;

    private static final Set<ServerInstance> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ServerInstance::killTree),
                "app-server-cleanup"));
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * How to launch one instance.
     *
     * @param command     the command line
     * @param environment variables added to the test JVM's environment
     * @param directory   the working directory
     * @param console     where stdout and stderr go
     * @param logs        further log files of the server, read for markers and tails
     * @param booted      a pattern that appears once the server finished booting (deployments done or failed)
     * @param httpPort    the loopback HTTP port
     * @param fresh       directories emptied before every start, so that no state survives a restart
     */
    record Launch(List<String> command, Map<String, String> environment, Path directory, Path console,
                  List<Path> logs, Pattern booted, int httpPort, List<Path> fresh) {
    }

    private final String name;
    private final Launch launch;
    private Process process;
    private ProcessHandle jvm;
    private Duration startUp;

    ServerInstance(String name, Launch launch) {
        this.name = name;
        this.launch = launch;
    }

    String name() {
        return name;
    }

    /** @return the time from launch until the boot marker, deployments included */
    Duration startUp() {
        return startUp;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * Launches the server and waits until it has booted.
     *
     * @return the start-up time
     * @throws IllegalStateException with the log tail if it exits or does not boot in time
     */
    Duration start() throws IOException, InterruptedException {
        if (alive()) {
            throw new IllegalStateException(name + " is already running");
        }
        for (Path log : logs()) {
            Files.deleteIfExists(log);
        }
        for (Path directory : launch.fresh()) {
            AppServer.deleteTree(directory);
            Files.createDirectories(directory);
        }
        Files.createDirectories(launch.console().getParent());
        ProcessBuilder builder = new ProcessBuilder(launch.command())
                .directory(launch.directory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(launch.console().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().remove("JBOSS_HOME");
        builder.environment().remove("JAVA_OPTS");
        builder.environment().putAll(launch.environment());
        long begin = System.nanoTime();
        process = builder.start();
        RUNNING.add(this);
        long deadline = begin + BOOT_TIMEOUT.toNanos();
        while (true) {
            if (launch.booted().matcher(log()).find()) {
                startUp = Duration.ofNanos(System.nanoTime() - begin);
                jvm = findJvm();
                return startUp;
            }
            if (!process.isAlive()) {
                RUNNING.remove(this);
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " before it finished booting; last lines of its log:\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                killTree();
                throw new IllegalStateException(name + " did not finish booting within " + BOOT_TIMEOUT.toSeconds()
                        + " s (no match for /" + launch.booted() + "/); last lines of its log:\n" + tail());
            }
            Thread.sleep(100);
        }
    }

    /** Graceful stop: SIGTERM to the server's JVM, which then shuts down as an operator's stop would. */
    void stop() throws InterruptedException {
        jvm.destroy();
        boolean exited = process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        for (int i = 0; i < 100 && jvm.isAlive(); i++) {
            Thread.sleep(100);
        }
        if (!exited || jvm.isAlive()) {
            killTree();
            throw new IllegalStateException(name + " did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM; killed it. Last lines of its log:\n" + tail());
        }
        RUNNING.remove(this);
    }

    /** Crash: SIGKILL to the server's JVM (and anything else this instance started). */
    void kill() throws InterruptedException {
        killTree();
        process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        killTree();
    }

    private void killTree() {
        if (process == null) {
            return;
        }
        ProcessHandle root = process.toHandle();
        List<ProcessHandle> all = new ArrayList<>();
        if (jvm != null) {
            all.add(jvm);
        }
        root.descendants().forEach(all::add);
        all.add(root);
        all.forEach(ProcessHandle::destroyForcibly);
        all.forEach(handle -> handle.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join());
        RUNNING.remove(this);
    }

    private ProcessHandle findJvm() throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            ProcessHandle root = process.toHandle();
            Optional<ProcessHandle> java = Stream.concat(Stream.of(root), root.descendants())
                    .filter(handle -> handle.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst();
            if (java.isPresent()) {
                return java.get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + ": no java process among " + process.toHandle().descendants()
                .map(h -> h.pid() + " " + h.info().command().orElse("?")).collect(Collectors.joining(", ")));
    }

    /** @return the node's {@code /status}, or empty if the server does not answer with 200 */
    Optional<NodeStatus> status() {
        try {
            HttpResponse<String> response = get("/highlander-example/status");
            return response.statusCode() == 200 ? Optional.of(NodeStatus.parse(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** @return the body of a {@code GET} of a path, or empty if the server does not answer with 200 */
    Optional<String> body(String path) {
        try {
            HttpResponse<String> response = get(path);
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** @return the HTTP status code of a path, or -1 if nothing answers */
    int httpStatus(String path) throws InterruptedException {
        try {
            return get(path).statusCode();
        } catch (ConnectException e) {
            return -1;
        } catch (IOException e) {
            return -2;
        }
    }

    /**
     * Hands the singleton over from this node ({@code POST /step-down}).
     *
     * @param holdOff how long the node stays out of the election
     * @return the node's status as it answered the request
     */
    NodeStatus stepDown(Duration holdOff) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/highlander-example/step-down?holdOff=" + holdOff))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new AssertionError(name + ": POST /step-down answered " + response.statusCode() + ": " + response.body());
        }
        return NodeStatus.parse(response.body());
    }

    /**
     * Runs the example's pool check ({@code GET /pool-check}), which borrows connections from the node's pool.
     *
     * @param connections how many connections to borrow at once
     * @return what it found
     */
    PoolCheck poolCheck(int connections) throws IOException, InterruptedException {
        // each borrow may wait for the pool's 5 s; a leak shows as a failure in the answer, not as a timeout here
        HttpResponse<String> response = get("/highlander-example/pool-check?connections=" + connections,
                Duration.ofSeconds(5L * connections + 30));
        if (response.statusCode() != 200) {
            throw new AssertionError(name + ": GET /pool-check answered " + response.statusCode() + ": " + response.body());
        }
        return PoolCheck.parse(response.body());
    }

    /**
     * @param path    what to GET
     * @param timeout how long the answer may take
     * @return the answer's body, once it comes (a request the application holds open)
     */
    CompletableFuture<String> bodyLater(String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(timeout).GET().build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, Duration.ofSeconds(5));
    }

    private HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(timeout).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + launch.httpPort() + path);
    }

    /** @return the console and the server's own log files, concatenated */
    String log() {
        StringBuilder text = new StringBuilder();
        for (Path log : logs()) {
            try {
                if (Files.exists(log)) {
                    text.append(new String(Files.readAllBytes(log), StandardCharsets.UTF_8)).append('\n');
                }
            } catch (IOException e) {
                text.append("(cannot read ").append(log).append(": ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    /** @return the last lines of the console (and the server log, if it has one) */
    String tail() {
        StringBuilder text = new StringBuilder();
        for (Path log : logs()) {
            try {
                if (Files.exists(log)) {
                    List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
                    text.append("==> ").append(log).append(" <==\n");
                    lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
                            .forEach(line -> text.append(line).append('\n'));
                }
            } catch (IOException e) {
                text.append("(cannot read ").append(log).append(")\n");
            }
        }
        return text.toString();
    }

    private List<Path> logs() {
        List<Path> logs = new ArrayList<>();
        logs.add(launch.console());
        logs.addAll(launch.logs());
        return logs;
    }

    @Override
    public String toString() {
        return name + " (http://127.0.0.1:" + launch.httpPort() + ")";
    }
}
