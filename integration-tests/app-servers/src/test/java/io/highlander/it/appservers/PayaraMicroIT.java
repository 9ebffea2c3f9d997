package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;

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

    /**
     * Payara binds the pool even without its driver and wraps the failure in an SQLException without
     * SQLState, so the library cannot name the JNDI name as missing; it fails the deployment with HL-0313.
     */
    @Override
    @Test
    @Order(12)
    void deploymentFailsWhenThePostgresDriverIsMissing() throws Exception {
        ServerInstance node = instance("no-driver", server.jndiName(), false);
        start(node);
        String log = awaitLog(node, "HL-0313");
        assertThat(log).contains("HL-0313: the DataSource '" + server.jndiName() + "' could not create any connection");
        assertNotServing(node);
    }
}
