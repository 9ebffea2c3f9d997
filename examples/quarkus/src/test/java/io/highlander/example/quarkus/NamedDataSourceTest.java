package io.highlander.example.quarkus;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.highlander.cdi.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * With two datasources, the default one and {@code users}, {@code highlander.datasource.name=users} puts the lock
 * in {@code users}' database. A named datasource's kind is build-time configuration in Quarkus, hence a profile.
 */
@QuarkusTest
@TestProfile(NamedDataSourceTest.UsersDatasource.class)
@WithTestResource(NamedDataSourceTest.TwoDatabases.class)
class NamedDataSourceTest {

    @ConfigProperty(name = "test.users-database")
    String usersDatabase;

    @Test
    void theNamedDatasourceHoldsTheLock() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/status").then().statusCode(200)
                .body("[0].state", equalTo("LEADING"))
                .body("[0].database", containsString("/" + usersDatabase + " (cluster "))); // host:port/db (cluster, timeline)
    }

    /** Declares the {@code users} datasource, at build time, and names it for Highlander. */
    public static class UsersDatasource implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.users.db-kind", "postgresql", "highlander.datasource.name", "users");
        }
    }

    /** The default datasource and {@code users}, each on a fresh database of the shared test PostgreSQL. */
    public static class TwoDatabases implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            TestPostgres postgres = TestPostgres.shared();
            String password = postgres.password() == null ? "" : postgres.password();
            String users = postgres.newDatabase();
            Map<String, String> config = new HashMap<>(Map.of(
                    "quarkus.datasource.jdbc.url", postgres.newDatabase(),
                    "quarkus.datasource.username", postgres.user(),
                    "quarkus.datasource.password", password,
                    "quarkus.datasource.users.jdbc.url", users,
                    "quarkus.datasource.users.username", postgres.user(),
                    "quarkus.datasource.users.password", password,
                    "highlander.node-id", "named-test"));
            config.put("quarkus.http.test-port", "0");
            config.put("test.users-database", users.substring(users.lastIndexOf('/') + 1).split("\\?")[0]);
            return config;
        }

        @Override
        public void stop() {
            // the shared PostgreSQL stops with the JVM
        }
    }
}
