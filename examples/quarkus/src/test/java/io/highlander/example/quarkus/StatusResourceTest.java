package io.highlander.example.quarkus;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The example in Quarkus, as one node: Highlander runs through its build-compatible extension, takes Quarkus'
 * default datasource, elects this node and reports through SmallRye Health.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class StatusResourceTest {

    private static final Duration ELECTION = Duration.ofSeconds(30);

    @Test
    void theOnlyNodeLeadsAndRunsTheSingleton() {
        await().atMost(ELECTION).untilAsserted(() -> given().get("/status").then().statusCode(200)
                .body("find { it.singleton == 'quarkus-ticker' }.nodeId", equalTo("quarkus-test"))
                .body("find { it.singleton == 'quarkus-ticker' }.state", equalTo("LEADING")));
        given().get("/ticker").then().statusCode(200);
    }

    @Test
    void leaderOnlyWorkRunsOnTheOnlyNodeWithItsTermsToken() {
        await().atMost(ELECTION).untilAsserted(() -> given().get("/status").then().statusCode(200)
                .body("find { it.singleton == 'quarkus-report' }.state", equalTo("LEADING")));
        long token = given().get("/status").then().extract().jsonPath()
                .getLong("find { it.singleton == 'quarkus-report' }.fencingToken");
        var run = given().post("/report").then().statusCode(200).extract().jsonPath();
        assertThat(run.getLong("runs")).as("runs on this node").isEqualTo(1);
        assertThat(run.getLong("lastToken")).as("the run's fencing token").isEqualTo(token);
        given().get("/status").then()
                .body("find { it.singleton == 'quarkus-report' }.skippedCalls", equalTo(0));
    }

    @Test
    void healthChecksNamedHighlanderAreUpInLivenessAndReadiness() {
        await().atMost(ELECTION).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("highlander"))
                .body("checks.find { it.name == 'highlander' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'highlander' }.data.quarkus-ticker", equalTo("LEADING (leader quarkus-test)")));
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'highlander' }.status", equalTo("UP"));
    }
}
