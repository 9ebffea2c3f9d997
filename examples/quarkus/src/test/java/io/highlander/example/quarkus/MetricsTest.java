package io.highlander.example.quarkus;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example's meters at {@code /q/metrics}, as Prometheus scrapes them from Quarkus' Micrometer registry
 * (docs/metrics.md): the singleton's and the node session's, which the build-compatible extension wires as the
 * portable one does.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class MetricsTest {

    private static final Duration ELECTION = Duration.ofSeconds(30);
    private static final String NODE = "node=\"quarkus-test\"";

    @Test
    void theOnlyNodeShowsItLeadsAndItsSessionsConnectionsAndHeartbeats() {
        await().atMost(ELECTION).until(() -> sample("highlander_leading", "singleton=\"quarkus-ticker\""),
                value -> value.equals(Optional.of(1.0)));
        await().atMost(ELECTION).until(() -> sample("highlander_heartbeat_seconds_count", NODE),
                count -> count.isPresent() && count.get() >= 1);

        assertThat(sample("highlander_connections", NODE)).as("its node session, at least").get()
                .matches(held -> held >= 1 && held <= 2, "1 or 2");
        assertThat(sample("highlander_reconnects_total", NODE)).contains(0.0);
        assertThat(sample("highlander_notices_total", "kind=\"gone\""))
                .as("a notice kind with no notice yet is published at 0").contains(0.0);
    }

    /**
     * @param labels a pattern the sample's labels must contain
     * @return the value of the first sample of that meter of this node whose labels match
     */
    private static Optional<Double> sample(String metric, String labels) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher sample = Pattern.compile("(?m)^" + metric + "\\{([^}]*)} (\\S+)").matcher(body);
        while (sample.find()) {
            if (sample.group(1).contains(NODE) && Pattern.compile(labels).matcher(sample.group(1)).find()) {
                return Optional.of(Double.parseDouble(sample.group(2)));
            }
        }
        return Optional.empty();
    }
}
