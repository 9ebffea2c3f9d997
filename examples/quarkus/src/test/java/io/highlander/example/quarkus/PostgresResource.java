package io.highlander.example.quarkus;

import io.highlander.cdi.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points the application under test at a fresh database on the shared test PostgreSQL (no Dev Services: there
 * may be no container engine), on a free port.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        TestPostgres postgres = TestPostgres.shared();
        return Map.of(
                "quarkus.datasource.jdbc.url", postgres.newDatabase(),
                "quarkus.datasource.username", postgres.user(),
                "quarkus.datasource.password", postgres.password() == null ? "" : postgres.password(),
                "quarkus.http.test-port", "0",
                "highlander.node-id", "quarkus-test");
    }

    @Override
    public void stop() {
        // the shared PostgreSQL stops with the JVM
    }
}
