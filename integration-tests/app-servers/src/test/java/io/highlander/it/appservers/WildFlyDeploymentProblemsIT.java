package io.highlander.it.appservers;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.it.appservers.misconfigured.DependentJob;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A deployment with two mistakes at once on WildFly: a singleton in the wrong scope (in the WAR, beside a singleton
 * that is fine, so that a DataSource is needed) and a DataSource JNDI name the server does not have (in the
 * settings). WildFly's summary of the failed deployment ({@code WFLYCTL0013}) shows both HL lines, one per problem,
 * right after its own line that names the deployment, with no stack frame of the library's anywhere. (Its
 * {@code MSC000001} entry before prints the server's own stack trace first, then the same lines.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WildFlyDeploymentProblemsIT {

    private static final String MISSING = "java:jboss/datasources/NoSuchDS";

    private ServerInstance node;

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void twoMistakesAtOnceAreShownAsOneHlLineEachAtTheTopOfTheDeploymentFailure() throws Exception {
        WildFly server = new WildFly();
        Path war = PackageWar.misconfigured(server.servers, server.work.resolveSibling("wildfly-misconfigured-war"));
        String name = "wildfly-problems";
        node = server.instance(name, new AppServer.Node(name, MISSING, Database.fresh(), true), war);
        node.start();

        String log = ClusterSingletonOnServerIT.awaitLog(node, "HL-0302");
        List<String> lines = log.lines().toList();
        // WildFly's summary of the failed deployment: its own line, then the HL lines, one per problem
        int failure = indexOf(lines, "WFLYCTL0013: Operation (\"deploy\") failed - address: ([(\"deployment\" => \""
                + PackageWar.MISCONFIGURED + ".war\")])");
        assertThat(failure).as("WildFly's WFLYCTL0013 line for the deployment:%n%s", node.tail()).isNotNegative();
        assertThat(lines.get(failure + 1)).as("the line after WildFly's own").endsWith("DeploymentException: HL-0101:"
                + " @ClusterSingleton bean " + DependentJob.class.getName() + " must be @ApplicationScoped but is"
                + " @Dependent; add @ApplicationScoped to the class.");
        assertThat(lines.get(failure + 2)).as("the second problem, on a line of its own").startsWith(
                "HL-0302: the DataSource JNDI name '" + MISSING + "' (highlander.datasource.jndi) was not found (");
        assertThat(log).as("no stack frame of the library's: the lines are the whole message")
                .doesNotContain("at io.highlander.cdi.");
        assertThat(node.httpStatus("/" + PackageWar.MISCONFIGURED + "/")).isNotEqualTo(200);
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
