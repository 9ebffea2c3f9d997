package io.highlander.example.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's application (examples/getting-started, built by Maven before this module) the way the
 * README tells a newcomer to: {@code java -cp 'target/classes:target/lib/*' com.example.App}, two nodes on
 * one PostgreSQL. Its classes are found by bean discovery through its own {@code beans.xml}
 * ({@code bean-discovery-mode="annotated"}), so an observer class without a bean-defining annotation is
 * caught here: its log lines would be missing. Its scheduler calls the {@code @LeaderOnly} cleanup on every node,
 * and only one node runs it.
 */
class GettingStartedIT {

    private static final Path APP = ReadmeSnippetsTest.ROOT.resolve("examples/getting-started/target");
    private static final Pattern GAIN = Pattern.compile("leading since \\S+, fencing token (\\d+)");
    private static final String CLEANUP_RAN = "cleanup: ran, fencing token ";
    private static final String CLEANUP_SKIPPED = "HL-0420: cleanup: node ";

    @TempDir
    Path work;

    private final List<Process> started = new ArrayList<>();

    /** A node process and the file its output goes to. */
    record AppNode(String id, Process process, Path log) {
        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        long gains() {
            return GAIN.matcher(output()).results().count();
        }

        long lastToken() {
            Matcher matcher = GAIN.matcher(output());
            long token = -1;
            while (matcher.find()) {
                token = Long.parseLong(matcher.group(1));
            }
            return token;
        }

        void signal(String name) throws IOException, InterruptedException {
            // only our own child, by its pid
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name).isTrue();
        }
    }

    @AfterEach
    void stopNodes() {
        for (Process process : started) {
            process.destroyForcibly();
        }
    }

    @Test
    void twoNodesElectOneLeaderAndFailOverWhileTheObserverHearsEveryChange() throws Exception {
        String url = TestPostgres.shared().newDatabase();
        AppNode a = start("a", url);
        AppNode b = start("b", url);

        await("one node's Watcher logs 'leading since'").atMost(Duration.ofSeconds(60)).until(() -> a.gains() + b.gains() == 1);
        AppNode leader = a.gains() == 1 ? a : b;
        AppNode standby = leader == a ? b : a;
        assertThat(leader.output()).contains("nightly report: started, fencing token " + leader.lastToken());

        // App's scheduler calls Cleanup on both nodes; @LeaderOnly runs it on the leader of "cleanup" only, and the
        // other node says once that it skips (no node has failed yet, so that leader has not changed)
        await("one node runs the cleanup, the other skips it").atMost(Duration.ofSeconds(60))
                .until(() -> a.output().contains(CLEANUP_RAN) && b.output().contains(CLEANUP_SKIPPED)
                        || b.output().contains(CLEANUP_RAN) && a.output().contains(CLEANUP_SKIPPED));
        AppNode cleaner = a.output().contains(CLEANUP_RAN) ? a : b;
        AppNode skipper = cleaner == a ? b : a;
        assertThat(skipper.output()).as("the node that skips never ran the cleanup").doesNotContain(CLEANUP_RAN);

        // a crash: the kernel closes the socket, PostgreSQL frees the lock, the standby takes over
        leader.process().destroyForcibly();
        await("the standby's Watcher logs 'leading since' after the crash").atMost(Duration.ofSeconds(30))
                .until(() -> standby.gains() == 1);
        assertThat(standby.lastToken()).isGreaterThan(leader.lastToken());
        assertThat(standby.output()).contains("nightly report: started, fencing token " + standby.lastToken());

        // a freeze past the lease: PostgreSQL ends the frozen leader's session, the other node takes over, and
        // the frozen one, once woken, finds its lease has run out: the observer of every loss fires
        AppNode restarted = start("a2", url);
        await("the restarted node is up").atMost(Duration.ofSeconds(60))
                .until(() -> restarted.output().contains("WELD-ENV-002003"));
        standby.signal("STOP");
        await("the restarted node leads after the lease").atMost(Duration.ofSeconds(30)).until(() -> restarted.gains() == 1);
        standby.signal("CONT");
        await("the woken node's Watcher logs the loss").atMost(Duration.ofSeconds(30))
                .until(() -> standby.output().contains("nightly-report lost: LEASE_EXPIRED"));
        assertThat(standby.output()).contains("nightly report: stopped");

        // a graceful stop: Weld's shutdown hook stops the singleton and releases the lock
        restarted.process().destroy();
        assertThat(restarted.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        // under the JDK's own log manager, whose shutdown hook closes every handler while Weld's still stops
        assertThat(restarted.output()).as("the lines of the graceful stop")
                .contains("HL-0402: nightly-report: node a2 stopped leading (SHUTDOWN)")
                .contains("nightly report: stopped");
        await("the woken node leads again after the graceful stop").atMost(Duration.ofSeconds(30))
                .until(() -> standby.gains() == 2);
    }

    @Test
    void aMissingDataSourceIsOneLineNamingTheFix() throws Exception {
        AppNode node = start("lonely", null);

        assertThat(node.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.process().exitValue()).isEqualTo(1);
        assertThat(node.output().lines().filter(line -> !line.contains(" INFO WELD-")))
                .containsExactly("cannot start: HL-0301: no DataSource for the cluster singletons' locks; produce a"
                        + " DataSource bean with @HighlanderDataSource, or set highlander.datasource.jndi to a JNDI name,"
                        + " or set highlander.datasource.url (with .user and .password) to a jdbc:postgresql: URL.");
    }

    private AppNode start(String id, String url) throws IOException {
        assertThat(APP.resolve("classes/com/example/App.class")).as("examples/getting-started is built first").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dhighlander.node-id=" + id, "-Dhighlander.lease=2s"));
        TestPostgres postgres = TestPostgres.shared();
        if (url != null) {
            command.add("-Dhighlander.datasource.url=" + url);
            if (postgres.user() != null) {
                command.add("-Dhighlander.datasource.user=" + postgres.user());
            }
        }
        command.addAll(List.of("-cp", APP.resolve("classes") + java.io.File.pathSeparator + APP.resolve("lib") + "/*",
                "com.example.App"));
        Path log = work.resolve(id + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("HIGHLANDER_"));
        if (url != null && postgres.password() != null) {
            builder.environment().put("HIGHLANDER_DATASOURCE_PASSWORD", postgres.password());
        }
        Process process = builder.start();
        started.add(process);
        return new AppNode(id, process, log);
    }
}
