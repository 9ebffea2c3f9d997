package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A fenced write in a container-managed JTA transaction ({@code @Transactional}) on an application server, through
 * the server's own pool, as docs/design/fencing.md §7 reasons it. Node a leads; a transaction on a fences itself with
 * a's term, writes a row and commits; a second one does the same but waits with its connection handle open; a steps
 * down; the test then lets that transaction go on to its commit. Asserted on what PostgreSQL recorded: the first
 * committed; the second failed and its row is not there, because the term's end aborted the fenced connection (not
 * because PostgreSQL ended the idle transaction a lease later: Payara's handle takes {@code abort} and keeps its
 * physical connection, so the library aborts the driver's connection under it too); node b's term began with no
 * transaction fenced by a still open, and b's token is above a's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FencedTransactionOnServerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final List<ServerInstance> instances = new ArrayList<>();
    private Database database;
    private ServerInstance a;
    private ServerInstance b;

    /** @return the server to run the two nodes on */
    abstract AppServer createServer() throws IOException;

    /** @return the prefix of the nodes' names */
    abstract String prefix();

    @BeforeAll
    void startTwoNodes() throws Exception {
        AppServer server = createServer();
        database = Database.fresh();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE fenced_writes (node text NOT NULL, token bigint NOT NULL)");
            statement.execute("CREATE TABLE fenced_backends (node text NOT NULL, token bigint NOT NULL,"
                    + " pid int NOT NULL, backend_start timestamptz NOT NULL, note text NOT NULL)");
            statement.execute("CREATE TABLE terms (node text NOT NULL, token bigint NOT NULL, began timestamptz NOT NULL,"
                    + " others_fenced_open bigint NOT NULL)");
        }
        Path war = PackageWar.fenced(server.servers, server.work.resolveSibling(prefix() + "-fenced-war"));
        a = start(server, prefix() + "-fenced-a", war);
        await(() -> count("SELECT count(*) FROM terms WHERE node = '" + a.name() + "'"), "a's term begins");
        b = start(server, prefix() + "-fenced-b", war);
    }

    private ServerInstance start(AppServer server, String name, Path war) throws Exception {
        ServerInstance instance = server.instance(name, new AppServer.Node(name, server.jndiName(), database, true), war);
        instances.add(instance);
        instance.start();
        return instance;
    }

    @AfterAll
    void stopEverything() {
        instances.forEach(ServerInstance::close);
    }

    @Test
    void aTransactionFencedByAnEndedTermCannotCommitAndTheNextTermBeginsOnlyAfterItEnded() throws Exception {
        assertThat(b.body("/" + PackageWar.FENCED + "/fenced/ready")).as("b answers and stands by")
                .hasValueSatisfying(answer -> assertThat(answer).contains("leading: false"));
        // within its term, a fenced transaction commits
        CompletableFuture<String> first = a.bodyLater("/" + PackageWar.FENCED + "/fenced/write", TIMEOUT);
        await(() -> count("SELECT count(*) FROM fenced_backends WHERE node = '" + a.name() + "'"),
                "a's first transaction is fenced");
        assertThat(a.body("/" + PackageWar.FENCED + "/fenced/release")).as("the test lets it go on")
                .hasValueSatisfying(answer -> assertThat(answer).contains("released"));
        assertThat(first.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("a's transaction within its term; %s", record())
                .startsWith("committed ");
        assertThat(count("SELECT count(*) FROM fenced_writes")).as("its row").isOne();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM fenced_writes; DELETE FROM fenced_backends");
        }

        CompletableFuture<String> write = a.bodyLater("/" + PackageWar.FENCED + "/fenced/write", TIMEOUT);
        await(() -> count("SELECT count(*) FROM fenced_backends WHERE node = '" + a.name() + "'"),
                "a's transaction is fenced and has written its row");
        assertThat(count("SELECT count(*) FROM fenced_writes")).as("a's row seen from outside before its commit; %s",
                record()).isZero();
        assertThat(count("SELECT count(*) FROM fenced_backends f JOIN pg_stat_activity a ON a.pid = f.pid"
                + " AND a.backend_start = f.backend_start AND a.xact_start IS NOT NULL"))
                .as("a's fenced backend is in a transaction; %s", record()).isOne();

        assertThat(a.body("/" + PackageWar.FENCED + "/fenced/step-down")).as("a steps down")
                .hasValueSatisfying(answer -> assertThat(answer).contains("stepped down"));
        await(() -> count("SELECT count(*) FROM terms WHERE node = '" + b.name() + "'"), "b's term begins");
        assertThat(a.body("/" + PackageWar.FENCED + "/fenced/release")).as("the test lets a's transaction go on")
                .hasValueSatisfying(answer -> assertThat(answer).contains("released"));
        String outcome = write.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        String record = record();
        System.out.printf("a's fenced JTA transaction ended: %s; the record: %s%n", outcome.strip(), record);
        assertThat(outcome).as("how a's transaction ended; %s", record).startsWith("failed: ")
                .as("the term's end ended it, not PostgreSQL's idle timeout a lease later (fencing.md F3); %s", record)
                .doesNotContain("idle-in-transaction timeout");
        assertThat(count("SELECT count(*) FROM fenced_writes")).as("rows that a's fenced transaction wrote; %s", record)
                .isZero();
        assertThat(count("SELECT others_fenced_open FROM terms WHERE node = '" + b.name() + "'"))
                .as("transactions fenced by a still open when b's term began; %s", record).isZero();
        assertThat(count("SELECT count(*) FROM terms t, fenced_backends f WHERE t.node = '" + b.name() + "'"
                + " AND t.token > f.token")).as("b's token is above the one a fenced with; %s", record).isOne();
        assertThat(a.log()).as("a's log says it cancelled the term's work").contains("HL-0440");
    }

    private String record() throws SQLException {
        StringBuilder text = new StringBuilder();
        for (String table : List.of("terms", "fenced_backends", "fenced_writes")) {
            text.append(table).append(": ");
            try (Connection connection = database.connect(); Statement select = connection.createStatement();
                    ResultSet rows = select.executeQuery("SELECT * FROM " + table)) {
                int columns = rows.getMetaData().getColumnCount();
                while (rows.next()) {
                    text.append('(');
                    for (int column = 1; column <= columns; column++) {
                        text.append(column > 1 ? ", " : "").append(rows.getString(column));
                    }
                    text.append(") ");
                }
            }
        }
        return text.toString();
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = database.connect(); PreparedStatement select = connection.prepareStatement(sql);
                ResultSet row = select.executeQuery()) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    private interface Probe {
        long value() throws SQLException;
    }

    private void await(Probe probe, String what) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (probe.value() > 0) {
                return;
            }
            Thread.sleep(100);
        }
        StringBuilder tails = new StringBuilder();
        instances.forEach(instance -> tails.append(instance.tail()));
        throw new AssertionError("not within " + TIMEOUT + ": " + what + "\n" + tails);
    }
}
