package io.highlander.example.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.NightlyReport;
import com.example.Watcher;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestPostgres;
import java.time.Duration;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's DataSource producer and its observer in one Weld SE node: the node takes its lock
 * connection from {@link LockDataSource}, leads, and the {@link Watcher} hears the gain and a step-down.
 */
class LockDataSourceTest {

    @AfterEach
    void clearProperties() {
        System.clearProperty("app.locks.url");
        System.clearProperty("app.locks.user");
    }

    @Test
    void theProducedDataSourceCarriesTheLockAndTheWatcherHearsGainAndLoss() {
        TestPostgres postgres = TestPostgres.shared();
        System.setProperty("app.locks.url", postgres.newDatabase());
        System.setProperty("app.locks.user", postgres.user());
        try (LogRecorder watcher = LogRecorder.of(Watcher.class.getName());
             WeldContainer node = new Weld("readme-datasource").disableDiscovery()
                     .property("org.jboss.weld.se.shutdownHook", false)
                .addExtension(new io.highlander.cdi.internal.HighlanderExtension()) // found by discovery in an application
                     .addBeanClasses(LockDataSource.class, NightlyReport.class, Watcher.class)
                     .initialize()) {
            LeaderElector elector = node.select(LeaderElector.class).get();

            await().atMost(Duration.ofSeconds(30)).until(() -> elector.isLeader("nightly-report"));
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.messages().stream()
                    .anyMatch(message -> message.startsWith("leading since ")));

            elector.stepDown("nightly-report", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.messages()
                    .contains("nightly-report lost: STEPPED_DOWN"));
            assertThat(elector.status("nightly-report").database()).hasValueSatisfying(database -> assertThat(database)
                    .as("the database of the produced DataSource").contains("/hl_test_"));
        }
    }
}
