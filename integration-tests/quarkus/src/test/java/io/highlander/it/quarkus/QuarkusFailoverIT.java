package io.highlander.it.quarkus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three instances of the packaged Quarkus example against one PostgreSQL: one leads, the highlander health
 * checks answer on every node, and when the leader is killed (SIGKILL) another takes over within the bound the
 * application-server tests use. Before that, {@code @LeaderOnly} methods (one on the singleton's election, one on a
 * bean-less election) run on the node that leads their election and are skipped on the others; a method of
 * Quarkus' own scheduler ({@code @Scheduled} with {@code @LeaderOnly}), fired on every node, runs only on the
 * leader, and after the kill only on the new leader. A fourth node, whose datasource has no URL, does not start and
 * says why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuarkusFailoverIT {

    /**
     * From SIGKILL to the next node's leadership, as in the application-server tests: the kernel closes the
     * socket and PostgreSQL releases the lock at once; the bound is the lease (3 s in the example), which covers
     * a leader whose socket stays open, plus slack for a shared 2-core machine.
     */
    static final Duration CRASH_BOUND = Duration.ofSeconds(3 + 7);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(60);
    /** The example's singleton, and the bean-less election of its {@code LeaderWork.report()}. */
    private static final String TICKER = "quarkus-ticker";
    private static final String REPORT = "quarkus-report";
    /** Calls of each {@code @LeaderOnly} method per node. */
    private static final int CALLS = 5;
    /** Firings of the scheduled sweep (every second) to see run on a leader. */
    private static final int SCHEDULED_RUNS = 3;
    /** One record of {@code GET /status} (a flat JSON object: no nested braces). */
    private static final Pattern RECORD = Pattern.compile("\\{[^{}]*\\}");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z_]+)\"");
    private static final Pattern SINCE = Pattern.compile("\"since\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern TOKEN = Pattern.compile("\"fencingToken\"\\s*:\\s*(\\d+)");
    private static final Pattern SKIPPED = Pattern.compile("\"skippedCalls\"\\s*:\\s*(\\d+)");
    private static final Pattern RUNS = Pattern.compile("\"runs\"\\s*:\\s*(\\d+)");
    private static final Pattern LAST_TOKEN = Pattern.compile("\"lastToken\"\\s*:\\s*(\\d+)");
    private static final Pattern HIGHLANDER_UP = Pattern.compile(
            "\"name\"\\s*:\\s*\"highlander\"\\s*,\\s*\"status\"\\s*:\\s*\"UP\"");

    /** Every process this test started, to stop them all. */
    private final List<QuarkusNode> nodes = new ArrayList<>();
    /** The three nodes that form the cluster. */
    private List<QuarkusNode> cluster;
    private final List<String> startUps = new ArrayList<>();

    @BeforeAll
    void startThreeNodes() throws Exception {
        Path app = Path.of(System.getProperty("it.quarkus.app"));
        assertThat(app).as("the packaged example; build examples/quarkus first").exists();
        Path workDir = Path.of(System.getProperty("it.work.dir", "target/nodes"));
        TestPostgres postgres = TestPostgres.shared();
        String database = postgres.newDatabase();
        // one after the other: on 2 shared cores, booting all at once takes as long and measures worse
        for (String name : List.of("quarkus-a", "quarkus-b", "quarkus-c")) {
            long started = System.nanoTime();
            QuarkusNode node = QuarkusNode.start(name, app, workDir, database, postgres.user(), postgres.password());
            nodes.add(node);
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .failFast("node " + node + " exited; see its log " + node.logFile(), () -> !node.alive())
                    .until(() -> answers(node.get("/status")));
            startUps.add(String.format("%s %.1f s", name, (System.nanoTime() - started) / 1e9));
        }
        cluster = List.copyOf(nodes);
    }

    @AfterAll
    void stopEveryNode() throws InterruptedException {
        for (QuarkusNode node : nodes) {
            node.close();
        }
        System.out.println("Quarkus start-up (process start to /status answering): " + startUps);
    }

    @Test
    @Order(1)
    void leaderOnlyMethodsRunWhereTheirElectionIsLedAndAreSkippedElsewhere() {
        for (String election : List.of(TICKER, REPORT)) {
            String path = election.equals(TICKER) ? "/sweep" : "/report";
            QuarkusNode leader = awaitOneLeader(cluster, election);
            long token = token(leader, election).orElseThrow();
            // counted from here: the scheduled sweep's firings are skipped calls of the ticker's election too, and a
            // node skips them while it stands by, the leader too before it led
            Map<QuarkusNode, Long> skippedBefore = new HashMap<>();
            for (QuarkusNode node : cluster) {
                skippedBefore.put(node, Long.parseLong(find(node, election, SKIPPED).orElseThrow()));
            }
            Map<QuarkusNode, String> lastAnswers = new HashMap<>();
            for (QuarkusNode node : cluster) {
                for (int call = 0; call < CALLS; call++) {
                    HttpResponse<String> response = node.post(path);
                    assertThat(response).as("%s POST %s answers", node, path).isNotNull();
                    assertThat(response.statusCode()).as("%s POST %s: %s", node, path, response.body()).isEqualTo(200);
                    lastAnswers.put(node, response.body());
                }
            }
            for (QuarkusNode node : cluster) {
                String answer = lastAnswers.get(node);
                long skipped = Long.parseLong(find(node, election, SKIPPED).orElseThrow()) - skippedBefore.get(node);
                if (node == leader) {
                    assertThat(number(answer, RUNS)).as("%s runs on its leader %s: %s", path, node, answer)
                            .isEqualTo(CALLS);
                    assertThat(number(answer, LAST_TOKEN)).as("the token %s ran with on %s", path, node)
                            .isEqualTo(token);
                    assertThat(skipped).as("skipped calls of %s on its leader %s", election, node).isZero();
                } else {
                    assertThat(number(answer, RUNS)).as("%s runs on %s, which does not lead %s: %s", path, node,
                            election, answer).isZero();
                    if (election.equals(REPORT)) {
                        assertThat(skipped).as("skipped calls of %s on %s", election, node).isEqualTo(CALLS);
                    } else { // and the scheduled sweep's firings meanwhile
                        assertThat(skipped).as("skipped calls of %s on %s", election, node)
                                .isGreaterThanOrEqualTo(CALLS);
                    }
                }
            }
        }
    }

    @Test
    @Order(2)
    void quarkusSchedulerFiresOnEveryNodeAndTheLeaderOnlyMethodRunsOnlyOnTheLeader() {
        QuarkusNode leader = awaitOneLeader(cluster);
        long token = token(leader).orElseThrow();
        Map<QuarkusNode, Long> skippedBefore = new HashMap<>();
        for (QuarkusNode node : cluster) {
            skippedBefore.put(node, Long.parseLong(find(node, TICKER, SKIPPED).orElseThrow()));
        }

        await().atMost(ELECTION_TIMEOUT).untilAsserted(() -> {
            String runs = leader.get("/scheduled").body();
            assertThat(number(runs, RUNS)).as("scheduled runs on the leader %s: %s", leader, runs)
                    .isGreaterThanOrEqualTo(SCHEDULED_RUNS);
            assertThat(number(runs, LAST_TOKEN)).as("the token of the leader's last scheduled run").isEqualTo(token);
            for (QuarkusNode node : cluster) {
                if (node != leader) { // the scheduler fired there too, and the firing was skipped
                    assertThat(Long.parseLong(find(node, TICKER, SKIPPED).orElseThrow()))
                            .as("skipped calls of %s on %s", TICKER, node).isGreaterThan(skippedBefore.get(node));
                }
            }
        });
        for (QuarkusNode node : cluster) {
            if (node != leader) {
                assertThat(number(node.get("/scheduled").body(), RUNS)).as("scheduled runs on the standby %s", node)
                        .isZero();
            }
        }
        assertThat(token(leader).orElseThrow()).as("one term throughout").isEqualTo(token);
    }

    @Test
    @Order(3)
    void oneLeadsTheHealthChecksAnswerAndAnotherTakesOverWhenTheLeaderIsKilled() throws Exception {
        QuarkusNode leader = awaitOneLeader(cluster);
        long firstToken = token(leader).orElseThrow();
        for (QuarkusNode node : cluster) {
            await().atMost(ELECTION_TIMEOUT).untilAsserted(() -> {
                assertHighlanderUp(node, "/q/health/ready");
                assertHighlanderUp(node, "/q/health/live");
            });
        }
        assertThat(leader.get("/ticker").statusCode()).as("the singleton answers on the leader").isEqualTo(200);
        for (QuarkusNode node : cluster) { // what a Prometheus scrape of /q/metrics shows a dashboard
            assertThat(scraped(node, "highlander_leading")).as("highlander_leading on %s", node)
                    .isEqualTo(node == leader ? 1 : 0);
        }
        assertThat(scraped(leader, "highlander_term_token")).as("the token the leader's metrics show")
                .isEqualTo(firstToken);

        List<QuarkusNode> survivors = new ArrayList<>(cluster);
        survivors.remove(leader);
        Instant signalled = Instant.now();
        leader.kill();
        QuarkusNode next = awaitOneLeader(survivors);
        Duration failover = Duration.between(signalled, since(next));
        System.out.println("Quarkus failover after SIGKILL of " + leader + ": " + failover.toMillis() + " ms, to "
                + next);
        assertThat(failover).as("failover after SIGKILL").isLessThanOrEqualTo(CRASH_BOUND);
        assertThat(token(next).orElseThrow()).as("the new term's fencing token").isGreaterThan(firstToken);
        for (QuarkusNode node : survivors) {
            assertThat(scraped(node, "highlander_leading")).as("highlander_leading on %s after the kill", node)
                    .isEqualTo(node == next ? 1 : 0);
        }
        assertThat(scraped(next, "highlander_term_token")).as("the new leader's metrics show its term")
                .isEqualTo(token(next).orElseThrow());
        assertThat(scraped(next, "highlander_takeover_seconds_count")).as("the takeover the new leader made")
                .isEqualTo(1);
        QuarkusNode standby = survivors.get(0) == next ? survivors.get(1) : survivors.get(0);
        assertThat(state(standby)).as("the third node: %s", standby.get("/status").body()).isEqualTo("STANDBY");
        assertThat(standby.get("/ticker").statusCode()).as("the singleton refuses calls on a standby").isEqualTo(409);

        long newToken = token(next).orElseThrow();
        await().atMost(ELECTION_TIMEOUT).untilAsserted(() -> {
            String runs = next.get("/scheduled").body();
            assertThat(number(runs, RUNS)).as("scheduled runs on the new leader %s: %s", next, runs)
                    .isGreaterThanOrEqualTo(SCHEDULED_RUNS);
            assertThat(number(runs, LAST_TOKEN)).as("the token of the new leader's last scheduled run")
                    .isEqualTo(newToken);
        });
        assertThat(number(standby.get("/scheduled").body(), RUNS)).as("scheduled runs on the standby %s", standby)
                .isZero();
    }

    @Test
    @Order(4)
    void aNodeWhoseDatasourceHasNoUrlDoesNotStartAndSaysWhy() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        QuarkusNode node = QuarkusNode.start("quarkus-no-url", Path.of(System.getProperty("it.quarkus.app")),
                Path.of(System.getProperty("it.work.dir", "target/nodes")), "", postgres.user(), postgres.password());
        nodes.add(node);
        await().atMost(START_TIMEOUT).until(() -> !node.alive());
        assertThat(node.log()).contains("HL-0216: the default DataSource bean cannot be used (")
                .contains("set configuration property 'quarkus.datasource.jdbc.url'");
    }

    // --- helpers

    private static QuarkusNode awaitOneLeader(List<QuarkusNode> candidates) {
        return awaitOneLeader(candidates, TICKER);
    }

    private static QuarkusNode awaitOneLeader(List<QuarkusNode> candidates, String election) {
        List<QuarkusNode> leaders = new ArrayList<>();
        await().atMost(ELECTION_TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
            leaders.clear();
            for (QuarkusNode node : candidates) {
                if ("LEADING".equals(state(node, election))) {
                    leaders.add(node);
                }
            }
            return leaders.size() == 1 && candidates.stream().filter(node -> node != leaders.get(0))
                    .allMatch(node -> "STANDBY".equals(state(node, election)));
        });
        return leaders.get(0);
    }

    private static void assertHighlanderUp(QuarkusNode node, String path) {
        HttpResponse<String> response = node.get(path);
        assertThat(response).as("%s %s answers", node, path).isNotNull();
        assertThat(response.statusCode()).as("%s %s: %s", node, path, response.body()).isEqualTo(200);
        assertThat(HIGHLANDER_UP.matcher(response.body()).find()).as("%s %s: %s", node, path, response.body()).isTrue();
    }

    /**
     * @param node   a node
     * @param metric a metric of the ticker in Prometheus' text format, as Micrometer renders it
     * @return its value on that node's {@code /q/metrics}
     */
    private static long scraped(QuarkusNode node, String metric) {
        HttpResponse<String> response = node.get("/q/metrics");
        assertThat(response).as("%s /q/metrics answers", node).isNotNull();
        assertThat(response.statusCode()).as("%s /q/metrics", node).isEqualTo(200);
        Matcher sample = Pattern.compile("(?m)^" + metric + "\\{[^}]*singleton=\"" + TICKER + "\"[^}]*\\} (\\S+)$")
                .matcher(response.body());
        assertThat(sample.find()).as("%s on %s's /q/metrics:%n%s", metric, node, response.body()).isTrue();
        return (long) Double.parseDouble(sample.group(1));
    }

    private static boolean answers(HttpResponse<String> response) {
        return response != null && response.statusCode() == 200;
    }

    private static String state(QuarkusNode node) {
        return state(node, TICKER);
    }

    private static String state(QuarkusNode node, String election) {
        return find(node, election, STATE).orElse(null);
    }

    private static Instant since(QuarkusNode node) {
        return Instant.parse(find(node, TICKER, SINCE).orElseThrow());
    }

    private static Optional<Long> token(QuarkusNode node) {
        return token(node, TICKER);
    }

    private static Optional<Long> token(QuarkusNode node, String election) {
        return find(node, election, TOKEN).map(Long::parseLong);
    }

    /** @return a field of one election's record in the node's {@code /status} */
    private static Optional<String> find(QuarkusNode node, String election, Pattern field) {
        HttpResponse<String> response = node.get("/status");
        if (!answers(response)) {
            return Optional.empty();
        }
        Pattern name = Pattern.compile("\"singleton\"\\s*:\\s*\"" + Pattern.quote(election) + "\"");
        Matcher record = RECORD.matcher(response.body());
        while (record.find()) {
            if (name.matcher(record.group()).find()) {
                Matcher matcher = field.matcher(record.group());
                return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static long number(String json, Pattern field) {
        Matcher matcher = field.matcher(json);
        if (!matcher.find()) {
            throw new AssertionError("no " + field + " in " + json);
        }
        return Long.parseLong(matcher.group(1));
    }
}
