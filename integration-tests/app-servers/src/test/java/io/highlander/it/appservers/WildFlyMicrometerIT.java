package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The example WAR, unchanged, on two WildFly instances whose own telemetry exports the library's meters: the
 * Micrometer subsystem hands the application its {@code MeterRegistry}, and its Prometheus registry serves them on
 * the management interface ({@code wildfly/micrometer-prometheus.cli}, docs/metrics.md). A scrape, as Prometheus
 * would make one, sees exactly one node leading, each node's session meters, and {@code highlander_leading} flip to
 * the other node when the leader is killed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WildFlyMicrometerIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String SINGLETON = "pulse"; // the example's @ClusterSingleton
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** One sample of the Prometheus text format: name, labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)} (\\S+)");

    private WildFly server;
    private final List<ServerInstance> instances = new ArrayList<>();

    @BeforeAll
    void startTwoNodes() throws Exception {
        server = WildFly.withMicrometer();
        Database database = Database.fresh();
        for (String suffix : List.of("a", "b")) {
            String name = "wildfly-metrics-" + suffix;
            ServerInstance instance = server.instance(name, new AppServer.Node(name, server.jndiName(), database, true));
            instances.add(instance);
            instance.start(); // one after the other: on 2 shared cores, booting both at once is no faster
        }
    }

    @AfterAll
    void stopEverything() {
        instances.forEach(ServerInstance::close);
    }

    @Test
    void theServersPrometheusScrapeSeesTheLeaderFlipWhenTheLeaderIsKilled() throws Exception {
        ServerInstance leader = awaitLeaderByMetrics(instances);
        ServerInstance standby = leader == instances.get(0) ? instances.get(1) : instances.get(0);
        double token = value(leader, "highlander_term_token", SINGLETON).orElseThrow();
        NodeStatus status = leader.status().orElseThrow();
        assertThat((long) token).as("the token the leader's metrics show is its status' token: %s", status)
                .isEqualTo(status.fencingToken());
        assertThat(value(standby, "highlander_leading", SINGLETON)).contains(0.0);
        // each node's session: its node session and its watcher, heartbeats timed
        for (ServerInstance node : instances) {
            await(node, "highlander_connections", null, held -> held == 2);
            await(node, "highlander_heartbeat_seconds_count", null, count -> count >= 1);
        }

        leader.kill();

        await(standby, "highlander_leading", SINGLETON, leading -> leading == 1);
        assertThat(value(standby, "highlander_term_token", SINGLETON)).get().matches(next -> next > token,
                "above the killed leader's " + (long) token);
        await(standby, "highlander_takeover_seconds_count", SINGLETON, takeovers -> takeovers >= 1);
        assertThat(value(standby, "highlander_terms_begun_total", SINGLETON)).get().matches(begun -> begun >= 1,
                "at least one term begun");
    }

    private ServerInstance awaitLeaderByMetrics(List<ServerInstance> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        List<String> last = List.of();
        while (System.nanoTime() < deadline) {
            List<Optional<Double>> leading = nodes.stream().map(n -> value(n, "highlander_leading", SINGLETON)).toList();
            long leaders = leading.stream().filter(v -> v.equals(Optional.of(1.0))).count();
            assertThat(leaders).as("nodes whose metrics say they lead, at once: %s", leading).isLessThanOrEqualTo(1);
            if (leaders == 1 && leading.stream().allMatch(Optional::isPresent)) {
                return nodes.get(leading.indexOf(Optional.of(1.0)));
            }
            last = leading.stream().map(String::valueOf).toList();
            Thread.sleep(200);
        }
        throw new AssertionError("no single leader by the scrapes within " + PATIENCE.toSeconds() + " s: " + last
                + "\n" + scrape(nodes.get(0)).orElse("(no scrape)"));
    }

    private void await(ServerInstance node, String metric, String singleton, Predicate<Double> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Optional<Double> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = value(node, metric, singleton);
            if (last.isPresent() && condition.test(last.get())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited " + PATIENCE.toSeconds() + " s for " + metric + " on " + node + "; last: "
                + last + "\n" + scrape(node).orElse("(no scrape)"));
    }

    /**
     * @param singleton the {@code singleton} label, or null for a node's own meter
     * @return the sample of that node's meter in its server's scrape
     */
    private Optional<Double> value(ServerInstance node, String metric, String singleton) {
        Optional<String> scraped = scrape(node);
        if (scraped.isEmpty()) {
            return Optional.empty();
        }
        Matcher sample = SAMPLE.matcher(scraped.get());
        while (sample.find()) {
            Map<String, String> labels = labels(sample.group(2));
            if (sample.group(1).equals(metric) && node.name().equals(labels.get("node"))
                    && (singleton == null || singleton.equals(labels.get("singleton")))) {
                return Optional.of(Double.parseDouble(sample.group(3)));
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new java.util.HashMap<>();
        Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"").matcher(text);
        while (label.find()) {
            labels.put(label.group(1), label.group(2));
        }
        return labels;
    }

    /** @return the node's Prometheus scrape from its management interface, or empty if it does not answer */
    private Optional<String> scrape(ServerInstance node) {
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.managementPort(node) + "/prometheus"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
