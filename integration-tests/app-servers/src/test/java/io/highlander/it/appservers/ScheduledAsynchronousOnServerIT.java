package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.highlander.it.appservers.scheduled.EverySecond;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Jakarta Concurrency 3.1 scheduled asynchronous method ({@code @Asynchronous(runAt = @Schedule(cron =
 * "* * * * * *"))}) with {@code @LeaderOnly} on a bean-less election, on two instances of one server: the schedule
 * runs on both, the leader runs each firing once and records it in PostgreSQL with its fencing token, the standby
 * skips every firing (counted in its status). The test reads the record straight from the database. On a server
 * without Concurrency 3.1 (Jakarta EE 10) it is skipped, with the reason read off the server's files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ScheduledAsynchronousOnServerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Firings to watch: enough to see each second run once, short enough for CI. */
    private static final int FIRINGS = 5;

    private final List<ServerInstance> instances = new ArrayList<>();
    private Database database;
    private Optional<String> unsupported = Optional.empty();

    /** @return the server under test */
    abstract AppServer createServer() throws IOException;

    /** @return the prefix of this server's node ids */
    abstract String prefix();

    @BeforeAll
    void startTwoNodes() throws Exception {
        AppServer server = createServer();
        unsupported = server.withoutScheduledAsynchronousMethods();
        if (unsupported.isPresent()) {
            return; // the test reports the skip with its reason
        }
        database = Database.fresh();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE firings (node text NOT NULL, second bigint NOT NULL, token bigint NOT NULL)");
        }
        // beside the server's work directory, which the server empties when it configures itself
        Path war = PackageWar.scheduled(server.servers, server.work.resolveSibling(prefix() + "-war"));
        for (String suffix : List.of("async-a", "async-b")) {
            String name = prefix() + "-" + suffix;
            AppServer.Node node = new AppServer.Node(name, server.jndiName(), database, true);
            ServerInstance instance = server.instance(name, node, war);
            instances.add(instance);
            instance.start();
        }
    }

    @AfterAll
    void stopEverything() {
        instances.forEach(ServerInstance::close);
    }

    @Test
    void theScheduleRunsOnBothNodesAndOnlyTheLeaderRunsEachFiringOnce() throws Exception {
        assumeTrue(unsupported.isEmpty(), () -> unsupported.orElseThrow());
        List<Firing> firings = awaitFirings();
        String leader = firings.get(0).node();
        ServerInstance standby = instances.stream().filter(instance -> !instance.name().equals(leader)).findFirst()
                .orElseThrow(() -> new AssertionError("the firings came from no node of this test: " + firings));
        String[] standbyStatus = awaitSkips(standby);

        Set<Long> seconds = new HashSet<>();
        firings.forEach(firing -> seconds.add(firing.second()));
        assertThat(seconds).as("each second ran once, cluster-wide: %s", firings).hasSameSizeAs(firings);
        assertThat(firings).as("one node, one term ran every firing").extracting(Firing::node, Firing::token)
                .containsOnly(tuple(leader, firings.get(0).token()));
        assertThat(standbyStatus[0]).as("the standby's state").isEqualTo("STANDBY");
        assertThat(Long.parseLong(standbyStatus[1])).as("the standby's schedule fired, and each firing was skipped")
                .isPositive();
        ServerInstance leading = instances.stream().filter(instance -> instance.name().equals(leader)).findFirst()
                .orElseThrow();
        // not its skipped calls: its schedule may have fired before it won the election
        assertThat(status(leading)).as("the leader's state")
                .hasValueSatisfying(answer -> assertThat(answer).startsWith("LEADING "));
    }

    private List<Firing> awaitFirings() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<Firing> firings = List.of();
        while (System.nanoTime() < deadline) {
            firings = firings();
            if (firings.size() >= FIRINGS) {
                return firings;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited " + TIMEOUT.toSeconds() + " s for " + FIRINGS + " firings; recorded: "
                + firings + "\n" + tails());
    }

    private String[] awaitSkips(ServerInstance standby) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Optional<String> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = status(standby);
            if (last.isPresent() && !last.get().endsWith(" 0")) {
                return last.get().split(" ");
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited " + TIMEOUT.toSeconds() + " s for the standby to skip a firing; last status: "
                + last.orElse("(none)") + "\n" + standby.tail());
    }

    private static Optional<String> status(ServerInstance node) {
        return node.body("/" + PackageWar.SCHEDULED + "/status").map(String::trim);
    }

    private List<Firing> firings() throws SQLException {
        List<Firing> firings = new ArrayList<>();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT node, second, token FROM firings ORDER BY second")) {
            while (rows.next()) {
                firings.add(new Firing(rows.getString(1), rows.getLong(2), rows.getLong(3)));
            }
        }
        return firings;
    }

    private String tails() {
        StringBuilder text = new StringBuilder();
        instances.forEach(instance -> text.append(instance.tail()));
        return text.toString();
    }

    /** One recorded firing of {@link EverySecond}. */
    private record Firing(String node, long second, long token) {
    }
}
