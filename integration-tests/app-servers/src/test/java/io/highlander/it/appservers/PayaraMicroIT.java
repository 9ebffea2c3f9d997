package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The example WAR on two Payara Micro instances. */
class PayaraMicroIT extends ClusterSingletonOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new PayaraMicro();
    }

    @Override
    String prefix() {
        return "payara";
    }

    @Override
    @Test
    @Disabled("Library bug (reported with issue 5): on Payara the JDBC resource exists without its driver, so"
            + " getConnection() fails with ClassNotFoundException inside an SQLException without SQLState, which"
            + " NodeBootstrap.checkDatabase takes for an unreachable database (HL-0310 warning) instead of failing"
            + " the deployment. Pinned by missingDriverIsOnlyAWarningOnPayaraForNow until it is fixed.")
    void deploymentFailsWhenThePostgresDriverIsMissing() {
    }

    /**
     * Today's behaviour with the driver missing on Payara: the application deploys, warns once (HL-0310) and
     * its election stays in STARTING (or STANDBY), retrying the connection. Fails as soon as the library fails
     * such a deployment; then delete this test and the override above.
     */
    @Test
    @Order(13)
    void missingDriverIsOnlyAWarningOnPayaraForNow() throws Exception {
        ServerInstance node = instance("no-driver", server.jndiName(), false);
        start(node);
        String log = awaitLog(node, "HL-0310");
        assertThat(log).contains(server.missingDriverSymptom())
                .contains("HL-0310: PostgreSQL is not reachable through '" + server.jndiName() + "'")
                .doesNotContain("HL-0302").doesNotContain("HL-0306");
        NodeStatus status = await(node, s -> true, java.time.Duration.ofSeconds(30), "the application answers");
        assertThat(status.state()).as("the node can never lead: %s", status).isIn("STARTING", "STANDBY");
    }
}
