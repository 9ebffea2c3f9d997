package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.it.appservers.fencedjta.Writer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code Leadership.fence} inside a JTA transaction on WildFly, through its pooled, enlisted DataSource: a fenced
 * transaction of a term that is still valid commits; one whose term ended before its commit (the node stepped down
 * while the transaction was open) fails to commit, and nothing it wrote is visible. Asserted on the servlet's answer
 * and on the table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WildFlyFencedJtaIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String ROOT = "/highlander-fenced-jta";

    private ServerInstance instance;
    private Database database;

    @BeforeAll
    void startOneNode() throws Exception {
        AppServer server = new WildFly();
        database = Database.fresh();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE fenced_rows (token bigint NOT NULL, label text NOT NULL)");
        }
        Path war = PackageWar.build(Writer.class, "highlander-fenced-jta.war", server.servers,
                server.work.resolveSibling("wildfly-fenced-jta-war"));
        instance = server.instance("wildfly-fenced-jta", new AppServer.Node("wildfly-fenced-jta", server.jndiName(),
                database, true), war);
        instance.start();
    }

    @AfterAll
    void stop() {
        if (instance != null) {
            instance.close();
        }
    }

    @Test
    void aFencedJtaTransactionCommitsInItsTermAndFailsToCommitOnceItsTermEnded() throws Exception {
        awaitLeading();
        instance.body(ROOT + "/fenced?label=kept");
        String kept = answer("kept");
        assertThat(kept).as("a fenced JTA transaction within its term; log:%n%s", instance.tail()).contains("COMMITTED")
                .doesNotContain("FAILED");
        assertThat(labels("kept")).as("its row").isEqualTo(1);

        instance.body(ROOT + "/fenced?label=stale&end=yes"); // may time out while the servlet waits for the term's end
        String stale = answer("stale");
        assertThat(stale).as("a fenced JTA transaction whose term ended before its commit; log:%n%s", instance.tail())
                .contains("COMMIT_FAILED");
        assertThat(labels("stale")).as("rows the ended term's transaction wrote").isZero();
        System.out.println("WildFly, fenced JTA transactions: in the term: " + kept + "; term ended before the commit: "
                + stale);
    }

    private void awaitLeading() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> answer = instance.body(ROOT + "/fenced?ready");
            if (answer.isPresent() && answer.get().contains("leads=true")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the node did not lead " + Writer.NAME + " within " + TIMEOUT + "; log:\n"
                + instance.tail());
    }

    /** @return the servlet's answer to the write labelled so, once it has one */
    private String answer(String label) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> answer = instance.body(ROOT + "/fenced?answer=" + label).map(String::trim);
            if (answer.isPresent() && !answer.get().isEmpty()) {
                return answer.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no answer to the write " + label + " within " + TIMEOUT + "; log:\n" + instance.tail());
    }

    private int labels(String label) throws SQLException {
        try (Connection connection = database.connect();
                PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM fenced_rows WHERE label = ?")) {
            count.setString(1, label);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }
}
