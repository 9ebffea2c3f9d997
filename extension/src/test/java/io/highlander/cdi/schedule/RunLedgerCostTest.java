package io.highlander.cdi.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.schedule.RunLedger;
import io.highlander.cdi.internal.schedule.ScheduledInstant;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What recording an instant costs on the leader, counted on the JDBC side (no timings: the machine is shared). With
 * pgjdbc each execution is one round trip, the {@code BEGIN} rides on the first, and {@code getAutoCommit} and
 * {@code setAutoCommit} are answered locally; so the round trips are the executions and the {@code COMMIT}.
 */
class RunLedgerCostTest {

    private static final Set<String> ROUND_TRIPS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "commit", "rollback");

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private final List<String> sent = new CopyOnWriteArrayList<>();

    @Test
    void recordingAnInstantTakesThreeRoundTripsAndAFiringOfARecordedOneTwoAndARollback() throws Exception {
        try (Connection c = cluster.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(RunLedger.DDL);
        }
        TestNode a = cluster.start(HighlanderSettings.builder().nodeId("a").build(), InstantJob.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.elector().isLeader(InstantJob.NAME));
        Leadership leadership = a.container().select(Leadership.class, OfSingleton.Literal.of(InstantJob.NAME)).get();
        RunLedger ledger = new RunLedger(counting());
        ScheduledInstant ten = new ScheduledInstant("report", Instant.parse("2026-12-07T10:00:00Z"));

        assertThat(ledger.claim(leadership, "a", ten)).isEqualTo(RunLedger.Claim.RECORDED);
        assertThat(sent).containsExactly("executeQuery", "executeUpdate", "commit");
        sent.clear();
        assertThat(ledger.claim(leadership, "a", ten)).isEqualTo(RunLedger.Claim.ALREADY_RUN);
        assertThat(sent).containsExactly("executeQuery", "executeUpdate", "rollback");
    }

    private ConnectionSource counting() {
        return new ConnectionSource() {
            @Override
            public Connection connect() throws java.sql.SQLException {
                return counting(cluster.dataSource().getConnection());
            }

            @Override
            public String description() {
                return "the test's database";
            }
        };
    }

    private Connection counting(Connection target) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    count(method);
                    Object result = invoke(target, method, args);
                    return result instanceof Statement statement ? countingStatement(statement, method) : result;
                });
    }

    private Object countingStatement(Statement target, Method creator) {
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {creator.getReturnType()},
                (proxy, method, args) -> {
                    count(method);
                    return invoke(target, method, args);
                });
    }

    private void count(Method method) {
        if (ROUND_TRIPS.contains(method.getName())) {
            sent.add(method.getName());
        }
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
