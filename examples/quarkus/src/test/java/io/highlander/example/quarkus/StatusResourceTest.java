package io.highlander.example.quarkus;

import static io.restassured.RestAssured.given;
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
                .body("[0].singleton", equalTo("quarkus-ticker"))
                .body("[0].nodeId", equalTo("quarkus-test"))
                .body("[0].state", equalTo("LEADING")));
        given().get("/ticker").then().statusCode(200);
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
