package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The example WAR's {@code PulseTimer}, a non-persistent EJB {@code @Schedule} that fires every second on every
 * node with {@code @LeaderOnly("pulse")}, on two instances of one server: the leader runs each firing, once; the
 * standby's timer fires too and every firing is skipped, counted in its {@code /status}. Observed only through
 * {@code /status}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LeaderOnlyTimerOnServerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Firings to watch: enough to see that each second ran once, short enough for CI. */
    private static final int FIRINGS = 5;

    private final List<ServerInstance> instances = new ArrayList<>();

    /** @return the server under test */
    abstract AppServer createServer() throws IOException;

    /** @return the prefix of this server's node ids */
    abstract String prefix();

    @BeforeAll
    void startTwoNodes() throws Exception {
        AppServer server = createServer();
        Database database = Database.fresh();
        for (String suffix : List.of("timer-a", "timer-b")) {
            String name = prefix() + "-" + suffix;
            ServerInstance instance = server.instance(name, new AppServer.Node(name, server.jndiName(), database, true));
            instances.add(instance);
            instance.start();
        }
    }

    @AfterAll
    void stopEverything() {
        instances.forEach(ServerInstance::close);
    }

    @Test
    void theTimerFiresOnBothNodesAndOnlyTheLeaderRunsEachFiringOnce() throws Exception {
        ServerInstance leader = null;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (leader == null && System.nanoTime() < deadline) {
            for (ServerInstance instance : instances) {
                if (pulse(instance).filter(status -> "LEADING".equals(JsonAnswer.stringOrNull(status, "state"))).isPresent()) {
                    leader = instance;
                }
            }
            Thread.sleep(100);
        }
        assertThat(leader).as("a leader within %s", TIMEOUT).isNotNull();
        ServerInstance standby = instances.get(0) == leader ? instances.get(1) : instances.get(0);
        // the timer may fire (and be skipped) before the node wins: only skips while it leads are a fault
        long skippedBeforeLeading = root(leader).map(LeaderOnlyTimerOnServerIT::skipped).orElseThrow();

        JsonObject leading = await(leader, root -> firedAt(root).size() >= FIRINGS, "the leader runs firings");
        JsonObject standing = await(standby, root -> skipped(root) >= FIRINGS, "the standby skips firings");

        List<Long> seconds = firedAt(leading);
        Set<Long> distinct = new HashSet<>(seconds);
        assertThat(distinct).as("each firing ran once on the leader: %s", seconds).hasSameSizeAs(seconds);
        assertThat(skipped(leading)).as("the leader skipped nothing while leading: %s", leading)
                .isEqualTo(skippedBeforeLeading);
        assertThat(firedAt(standing)).as("the standby ran no firing: %s", standing).isEmpty();
        assertThat(JsonAnswer.longOrNull(journal(standing), "ticks")).as("the standby's ticks").isEqualTo(0L);
        assertThat(skipped(standing)).as("the standby's timer fired, and each firing was skipped").isPositive();
    }

    private JsonObject await(ServerInstance node, Predicate<JsonObject> condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Optional<JsonObject> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = root(node);
            if (last.isPresent() && condition.test(last.get())) {
                return last.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited " + TIMEOUT.toSeconds() + " s for: " + what + " (" + node + "); last answer: "
                + last.map(Object::toString).orElse("(none)") + "\n" + node.tail());
    }

    private static Optional<JsonObject> root(ServerInstance node) {
        return node.status().map(status -> JsonAnswer.object(status.json()));
    }

    private static Optional<JsonObject> pulse(ServerInstance node) {
        return root(node).map(root -> JsonAnswer.singleton(root, "pulse"));
    }

    private static long skipped(JsonObject root) {
        return JsonAnswer.singleton(root, "pulse").getJsonNumber("skippedCalls").longValueExact();
    }

    private static JsonObject journal(JsonObject root) {
        return root.getJsonObject("pulse");
    }

    private static List<Long> firedAt(JsonObject root) {
        return journal(root).getJsonArray("firedAt").getValuesAs(JsonNumber.class).stream()
                .map(JsonNumber::longValueExact).toList();
    }
}
