package io.highlander.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.testing.TestPostgres;
import io.highlander.testing.processes.NodeCommand;
import io.highlander.testing.processes.NodeProcess;
import io.highlander.testing.processes.NodeProcesses;
import io.highlander.testing.processes.OutputLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An old leader frozen (SIGSTOP) inside a fenced transaction, past its lease, in real node JVMs
 * ({@link FencedNodeMain}): the new leader takes over; the old one resumes (SIGCONT) and commits. What must hold, on
 * the record the nodes print: the commit fails, nothing the old leader wrote is visible, and the new leader's term
 * began only after the old transaction ended (no fenced-writer backend of the old node alive at its
 * {@code LeadershipAcquired}). FencedTakeoverTest shows the same in one JVM; here a whole JVM stops.
 */
class FencedFreezeIT {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final NodeProcesses group = new NodeProcesses("fenced-freeze", Duration.ZERO);
    private final TestPostgres postgres = TestPostgres.shared();
    private final String url = FaultCluster.withoutUser(postgres.newDatabase());
    private final List<String> record = new ArrayList<>();

    @AfterEach
    void stop() {
        group.close(); // SIGKILL to every node, a frozen one too
    }

    @Test
    void aLeaderFrozenInsideItsFencedTransactionCannotCommitOnResumingAndTheNextTermBeganAfterItEnded()
            throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE written (node text NOT NULL, token bigint NOT NULL)");
        }
        NodeProcess a = start("a");
        long oldToken = token(await(a, "ACQUIRED "));
        NodeProcess b = start("b");

        a.send("FENCE");
        String fenced = await(a, "FENCED ");
        record.add("a " + fenced.replace(Long.toString(oldToken), "<old>"));
        a.pause(); // frozen inside its fenced transaction, past its lease
        String acquired = await(b, "ACQUIRED ");
        record.add("b " + acquired.replaceFirst("ACQUIRED \\d+", "ACQUIRED <new>"));
        a.resume();
        a.send("COMMIT");
        String commit = await(a, "COMMIT");
        record.add("a " + commit.replaceFirst("COMMIT_FAILED .*", "COMMIT_FAILED"));

        assertThat(record).containsExactly("a FENCED <old>", "b ACQUIRED <new> old-open=0", "a COMMIT_FAILED");
        assertThat(token(acquired)).isGreaterThan(oldToken);
        assertThat(rowsWritten()).as("rows the old leader wrote").isZero();
    }

    private NodeProcess start(String node) throws Exception {
        Path directory = Files.createDirectories(Path.of(System.getProperty("faults.dir", "target/faults"),
                "fenced-freeze"));
        NodeCommand command = NodeCommand.of(FencedNodeMain.class).name(node)
                .jvmOptions("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .systemProperty("highlander.node-id", node)
                .systemProperty("highlander.lease", LEASE.toMillis() + "ms")
                .systemProperty("faults.jdbc.url", url)
                .systemProperty("faults.jdbc.user", postgres.user())
                .systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn")
                .classPath(FaultCluster.nodeClassPath())
                .stderrMergedIntoStdout()
                .stdoutCopiedTo(directory.resolve(node + ".out"));
        if (postgres.password() != null) {
            command.systemProperty("faults.jdbc.password", postgres.password());
        }
        NodeProcess process = group.start(command);
        await(process, "STARTED");
        return process;
    }

    private static String await(NodeProcess node, String prefix) throws InterruptedException {
        return node.awaitLine(line -> line.startsWith(prefix), WAIT).map(OutputLine::text)
                .orElseThrow(() -> new AssertionError(node + " did not print " + prefix + " within " + WAIT + "; it"
                        + " printed " + node.lines()));
    }

    private static long token(String line) {
        return Long.parseLong(line.split(" ")[1]);
    }

    private int rowsWritten() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM written WHERE node = 'a'")) {
            r.next();
            return r.getInt(1);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, postgres.user(), postgres.password());
    }
}
