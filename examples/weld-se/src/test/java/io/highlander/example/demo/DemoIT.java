package io.highlander.example.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the packaged demo the way the README tells a newcomer to ({@code java -jar target/highlander-demo.jar}),
 * with a short lease, and checks its summary, its errors and that it leaves no process behind.
 */
class DemoIT {

    private static final Path JAR = Path.of("target", "highlander-demo.jar");

    @TempDir
    Path work;

    record Run(int exitCode, String out, String err) {
    }

    @Test
    void theStoryEndsWithEveryFailoverAndNeverTwoInstancesAtOnce() throws Exception {
        Run run = demo(Duration.ofMinutes(4), "--lease", "2s", "--logs", work.resolve("logs").toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("graceful stop (SIGTERM)", "crash (SIGKILL)", "freeze (SIGSTOP)")
                .contains("failovers: 3 of 3")
                .contains("instances running at once: max 1 ")
                .contains("(strictly increasing)")
                .doesNotContain("Exception", "\u001B[");
        assertThat(run.err()).isEmpty();

        // java.util.logging closes its handlers in a shutdown hook of its own, racing Weld's: the nodes must
        // still write the line that says the leader stopped on SIGTERM
        try (var logs = Files.list(work.resolve("logs"))) {
            assertThat(logs.filter(log -> log.getFileName().toString().endsWith(".log")).map(DemoIT::read))
                    .as("a node log with the graceful stop's HL-0402 line")
                    .anyMatch(log -> log.lines().anyMatch(line -> line.contains("HL-0402: ")
                            && line.contains("stopped leading (SHUTDOWN)")));
        }

        List<Long> pids = numbers(run.out(), "up \\(pid (\\d+)\\)");
        assertThat(pids).as("the node processes: 3, and 2 restarted").hasSize(5);
        assertThat(pids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        List<Long> ports = numbers(run.out(), "\\(embedded\\) at jdbc:postgresql://localhost:(\\d+)/");
        assertThat(ports).hasSize(1);
        assertThat(accepts(ports.get(0).intValue())).as("the embedded PostgreSQL has stopped").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--nodes 0",
        "--nodes x",
        "--fast",
        "--lease 0s",
        "--jdbc-url jdbc:mysql://localhost:3306/app",
        "--jdbc-url jdbc:postgresql://127.0.0.1:1/postgres"
    })
    void badInputIsOneLineOfErrorAndANonZeroExit(String arguments) throws Exception {
        Run run = demo(Duration.ofSeconds(60), arguments.split(" "));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err().lines().toList()).hasSize(1).first().asString()
                .startsWith("highlander-demo: ").doesNotContain("Exception");
    }

    @Test
    void passwordWithoutATerminalSaysHowToGiveIt() throws Exception {
        Run run = demo(Duration.ofSeconds(60), "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/postgres", "--password");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).doesNotContain("Enter value");
        assertThat(run.err()).isEqualTo("highlander-demo: --password needs a terminal to prompt on; set"
                + " HIGHLANDER_DATASOURCE_PASSWORD instead (see --help)" + System.lineSeparator());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Run demo(Duration timeout, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(arguments));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("HIGHLANDER_DATASOURCE"));
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the demo did not end within " + timeout + ":\n" + Files.readString(out));
            }
        } finally {
            // only what this test started: the demo and, should it have failed to, its nodes
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static List<Long> numbers(String text, String regex) {
        List<Long> found = new ArrayList<>();
        Matcher matcher = Pattern.compile(regex).matcher(text);
        while (matcher.find()) {
            found.add(Long.parseLong(matcher.group(1)));
        }
        return found;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
