package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code @RunOnce} on two Payara Micro instances (the quickest server to boot): an EJB timer fires every second on
 * both, outside a JTA transaction, and calls a {@code @LeaderOnly @RunOnce(misfireGrace = "PT30S")} job. The test
 * picks a second; the leader stops firing just before it but keeps the lock; once the other node's timer has fired
 * a second from then on (while it did not lead), the test has the old leader step down. Asserted on what the nodes
 * wrote to PostgreSQL: every second ran at most once, and a second that the new leader's timer fired before it won
 * was run by the new leader (the misfire grace).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PayaraMicroRunOnceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final List<ServerInstance> instances = new ArrayList<>();
    private Database database;

    @BeforeAll
    void startTwoNodes() throws Exception {
        AppServer server = new PayaraMicro();
        database = Database.fresh();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE highlander_scheduled_run (election text NOT NULL, job text NOT NULL,"
                    + " instant timestamptz NOT NULL, fencing_token bigint NOT NULL, node text NOT NULL,"
                    + " recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (election, job, instant))");
            statement.execute("CREATE TABLE firings (node text NOT NULL, second bigint NOT NULL, led int NOT NULL,"
                    + " fired_ms bigint NOT NULL)");
            statement.execute("CREATE TABLE runs (node text NOT NULL, second bigint NOT NULL, token bigint NOT NULL)");
            statement.execute("CREATE TABLE handover (node text NOT NULL, at bigint NOT NULL)");
        }
        Path war = PackageWar.runOnce(server.servers, server.work.resolveSibling("payara-run-once-war"));
        for (String suffix : List.of("once-a", "once-b")) {
            String name = "payara-" + suffix;
            ServerInstance instance = server.instance(name, new AppServer.Node(name, server.jndiName(), database, true),
                    war);
            instances.add(instance);
            instance.start();
        }
    }

    @AfterAll
    void stopEverything() {
        instances.forEach(ServerInstance::close);
    }

    @Test
    void aSecondWhoseLeaderStoppedJustBeforeItIsRunOnceByTheNewLeader() throws Exception {
        long first = await(() -> runs().isEmpty() ? null : runs().lastKey(), "the leader runs seconds");
        String old = runs().get(first).get(0);
        long at = first + 3; // ahead of what the leader ran
        try (Connection connection = database.connect();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO handover VALUES (?, ?)")) {
            insert.setString(1, old);
            insert.setLong(2, at);
            insert.executeUpdate();
        }
        ServerInstance leader = instances.stream().filter(instance -> instance.name().equals(old)).findFirst()
                .orElseThrow();
        assertThat(leader.body("/" + PackageWar.RUN_ONCE + "/step-down?ready")).as("the step-down servlet answers")
                .hasValueSatisfying(answer -> assertThat(answer).contains("ready"));
        // the old leader runs the seconds before `at` and stops; then the other node's timer fires a later one
        await(() -> standbyFiringFrom(old, at), "the other node's timer fires a second from " + at);
        assertThat(leader.body("/" + PackageWar.RUN_ONCE + "/step-down")).as("the old leader lets the lock go only now")
                .hasValueSatisfying(answer -> assertThat(answer).contains("stepped down"));
        long missed = await(() -> runAfterAStandbyFiring(old, at), "a second the new leader fired before it won runs");

        TreeMap<Long, List<String>> runs = runs();
        String firings = firingsAround(missed);
        assertThat(runs.values()).as("the nodes that ran each second: %s", runs)
                .allSatisfy(nodes -> assertThat(nodes).hasSize(1));
        assertThat(runs.get(missed)).as("second %d, fired while %s still held the lock but had stopped: %s; firings: %s",
                missed, old, runs.subMap(at - 3, missed + 3), firings).doesNotContain(old);
        assertThat(runs.tailMap(at).values()).as("the old leader ran nothing after it stopped")
                .allSatisfy(nodes -> assertThat(nodes).doesNotContain(old));
    }

    /** @return the first second from {@code at} that another node fired while it did not lead, and then ran */
    private Long runAfterAStandbyFiring(String old, long at) throws SQLException {
        try (Connection connection = database.connect();
                PreparedStatement select = connection.prepareStatement("SELECT min(r.second) FROM runs r"
                        + " JOIN firings f ON f.node = r.node AND f.second = r.second AND f.led = 0"
                        + " WHERE r.node <> ? AND r.second >= ?")) {
            select.setString(1, old);
            select.setLong(2, at);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long second = row.getLong(1);
                return row.wasNull() ? null : second;
            }
        }
    }

    /** @return the first second from {@code at} that a node other than {@code old} fired while it did not lead */
    private Long standbyFiringFrom(String old, long at) throws SQLException {
        try (Connection connection = database.connect();
                PreparedStatement select = connection.prepareStatement("SELECT min(second) FROM firings"
                        + " WHERE node <> ? AND second >= ? AND led = 0")) {
            select.setString(1, old);
            select.setLong(2, at);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long second = row.getLong(1);
                return row.wasNull() ? null : second;
            }
        }
    }

    private interface Probe {
        Long value() throws SQLException;
    }

    private long await(Probe probe, String what) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Long value = probe.value();
            if (value != null) {
                return value;
            }
            Thread.sleep(200);
        }
        StringBuilder tails = new StringBuilder();
        instances.forEach(instance -> tails.append(instance.tail()));
        throw new AssertionError("waited " + TIMEOUT.toSeconds() + " s for: " + what + "; runs: " + runs() + "\n"
                + tails);
    }

    private TreeMap<Long, List<String>> runs() throws SQLException {
        TreeMap<Long, List<String>> runs = new TreeMap<>();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT second, node FROM runs ORDER BY second, node")) {
            while (rows.next()) {
                runs.computeIfAbsent(rows.getLong(1), second -> new ArrayList<>()).add(rows.getString(2));
            }
        }
        return runs;
    }

    /** @return the firings of the seconds around {@code at}: node, second, whether it led, when it came (ms) */
    private String firingsAround(long at) throws SQLException {
        StringBuilder text = new StringBuilder();
        try (Connection connection = database.connect();
                PreparedStatement select = connection.prepareStatement("SELECT node, second, led, fired_ms FROM firings"
                        + " WHERE second BETWEEN ? AND ? ORDER BY fired_ms")) {
            select.setLong(1, at - 3);
            select.setLong(2, at + 3);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    text.append("\n  ").append(rows.getString(1)).append(" ").append(rows.getLong(2))
                            .append(rows.getInt(3) == 1 ? " leading " : " standby ").append(rows.getLong(4));
                }
            }
        }
        return text.toString();
    }
}
