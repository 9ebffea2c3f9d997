package io.highlander.it.quarkus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.highlander.cdi.ClusterSingleton;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Quarkus application with a singleton that nothing injects (a job that only works in its
 * {@code @PostConstruct}) and no datasource: the singleton is not removed as an unused bean, and the start fails
 * with the catalogued message instead of the singleton silently never running.
 */
class NoDataSourceOnQuarkusTest {

    @RegisterExtension
    static final QuarkusUnitTest QUARKUS = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(LonelyJob.class))
            .overrideConfigKey("highlander.node-id", "lonely")
            .assertException(failure -> assertThat(String.join("\n", messages(failure)))
                    .contains("HL-0317: no DataSource for the cluster singletons' locks: the application has no"
                            + " default DataSource bean;"));

    @Test
    void theApplicationDoesNotStart() {
        fail("the start should have failed");
    }

    private static List<String> messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            messages.add(String.valueOf(cause.getMessage()));
        }
        return messages;
    }

    /** Injected nowhere: ArC would remove it as unused. */
    @ApplicationScoped
    @ClusterSingleton("lonely-job")
    public static class LonelyJob {
        @PostConstruct
        void work() {
            // the job would start here
        }
    }
}
