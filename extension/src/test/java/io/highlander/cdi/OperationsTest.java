package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.internal.management.NodeManagement;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What operators see and steer: the JMX view, the health checks, the pool starvation warning. */
class OperationsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void eachNodeHasAJmxViewWithStatusAndStepDown() throws Exception {
        TestNode a = startNode("jmx-a", cluster.dataSource());
        await().atMost(PATIENCE).until(() -> a.elector().isLeader("ticker"));
        TestNode b = startNode("jmx-b", cluster.dataSource());
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName nameOfA = NodeManagement.objectName("jmx-a");

        assertThat((String[]) server.getAttribute(nameOfA, "Leading")).containsExactly("ticker");
        assertThat((String[]) server.getAttribute(nameOfA, "Status")).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("ticker: LEADING on jmx-a, leader jmx-a, token ");

        server.invoke(nameOfA, "stepDownFor", new Object[] {"ticker", 60L}, new String[] {String.class.getName(), long.class.getName()});
        await().atMost(PATIENCE).until(() -> b.elector().isLeader("ticker"));

        a.close();
        assertThat(server.isRegistered(nameOfA)).as("unregistered on shutdown").isFalse();
        assertThat(server.isRegistered(NodeManagement.objectName("jmx-b"))).isTrue();
    }

    @Test
    void healthChecksStayUpOnAStandby() {
        TestNode leader = startNode("a", cluster.dataSource());
        await().atMost(PATIENCE).until(() -> leader.elector().isLeader("ticker"));
        TestNode standby = startNode("b", cluster.dataSource());
        await().atMost(PATIENCE).until(() -> standby.elector().status("ticker").state() == SingletonState.STANDBY);

        for (TestNode node : List.of(leader, standby)) {
            HealthCheckResponse liveness = check(node, Liveness.Literal.INSTANCE);
            HealthCheckResponse readiness = check(node, Readiness.Literal.INSTANCE);
            assertThat(liveness.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
            assertThat(readiness.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
            assertThat(readiness.getName()).isEqualTo("highlander");
            assertThat(readiness.getData()).get().satisfies(data -> assertThat(data.get("ticker"))
                    .isEqualTo((node == leader ? "LEADING" : "STANDBY") + " (leader a)"));
            assertThat(readiness.getData()).get().satisfies(data -> assertThat(data.get("database")).asString()
                    .contains(" (cluster ").endsWith(", timeline 1)"));
        }
    }

    @Test
    void readinessIsDownUntilTheDatabaseWasReached() {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("lonely")
                .jdbcUrl("jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=1", "u", null).build();
        TestNode node = cluster.start(settings, (DataSource) null, Ticker.class, LeadershipLog.class);

        assertThat(check(node, Readiness.Literal.INSTANCE).getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(check(node, Liveness.Literal.INSTANCE).getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void aPoolWithNoConnectionLeftForTheApplicationIsReported() {
        Semaphore poolSize = new Semaphore(1);
        DataSource tinyPool = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection")) {
                        return method.invoke(cluster.dataSource(), args);
                    }
                    poolSize.acquire(); // a pool of one: the next borrower waits
                    Connection real = cluster.dataSource().getConnection();
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("close") || m.getName().equals("abort")) {
                                    poolSize.release();
                                }
                                return m.invoke(real, a);
                            });
                });
        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            TestNode node = startNode("starved", tinyPool);
            await().atMost(PATIENCE).until(() -> node.elector().isLeader("ticker"));

            await().atMost(PATIENCE).until(() -> log.messages().stream().anyMatch(m -> m.startsWith("HL-0412")));
            assertThat(log.messages()).contains("HL-0412: the DataSource @HighlanderDataSource bean"
                    + " io.highlander.cdi.testing.TestNode gave no further connection within PT5S while Highlander holds"
                    + " 1 of its connections for good; the application may starve. Enlarge the pool by 1 or give"
                    + " Highlander a DataSource of its own (@HighlanderDataSource).");
        }
    }

    private HealthCheckResponse check(TestNode node, java.lang.annotation.Annotation kind) {
        return node.container().select(HealthCheck.class, kind).get().call();
    }

    private TestNode startNode(String id, DataSource source) {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId(id)
                .lease(Duration.ofSeconds(3)).heartbeat(Duration.ofMillis(300)).standbyInterval(Duration.ofSeconds(1))
                .build();
        return cluster.start(settings, source, Ticker.class, LeadershipLog.class);
    }
}
