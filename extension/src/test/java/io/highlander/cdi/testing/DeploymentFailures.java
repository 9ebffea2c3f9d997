package io.highlander.cdi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.highlander.cdi.HighlanderSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Deploys beans that must fail to deploy, and gives the messages of the failure's cause chain. */
public final class DeploymentFailures {

    private DeploymentFailures() {
    }

    /**
     * @param settings    the node's settings
     * @param beanClasses the beans of the deployment
     * @return the messages of the cause chain, one per line
     */
    public static String of(HighlanderSettings settings, Class<?>... beanClasses) {
        Throwable thrown = catchThrowable(() -> TestNode.start(settings, TestPostgres.shared().dataSource(), Map.of(),
                beanClasses).close());
        assertThat(thrown).as("the deployment must fail").isNotNull();
        List<String> messages = new ArrayList<>();
        for (Throwable t = thrown; t != null && t.getCause() != t; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        return String.join("\n", messages);
    }
}
