package io.highlander.cdi.internal.fence;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.testing.TestPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * What a fenced transaction costs, counted on the wire's JDBC side (no timings: the machine is shared): the
 * statements the fence sends through the application's connection. With pgjdbc each execution is one round trip
 * (its Parse, Bind, Execute and Sync go out together), so the executions are the round trips.
 */
class FenceCostTest {

    private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch");

    private final DataSource dataSource = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());
    private final List<String> sent = new CopyOnWriteArrayList<>();

    @Test
    void aFencedTransactionSendsOneStatementInOneRoundTrip() throws Exception {
        LockKey singleton = LockKey.of(0x48494748, "costed");
        try (Connection session = dataSource.getConnection(); Connection application = dataSource.getConnection()) {
            int pid = holdAsNode(session, singleton, "n");
            application.setAutoCommit(false);

            boolean admitted = FenceEntry.enter(counting(application), singleton, pid, "n", Duration.ofSeconds(5));
            application.rollback();

            assertThat(admitted).isTrue();
            assertThat(sent).containsExactly("prepareStatement", "executeQuery");
        }
    }

    private int holdAsNode(Connection session, LockKey key, String node) throws SQLException {
        try (PreparedStatement s = session.prepareStatement(
                "SELECT set_config('application_name', ?, false), pg_advisory_lock(?, ?), pg_backend_pid()")) {
            s.setString(1, LockSession.APPLICATION_NAME_PREFIX + node);
            s.setInt(2, key.namespace());
            s.setInt(3, key.key());
            try (var row = s.executeQuery()) {
                row.next();
                return row.getInt(3);
            }
        }
    }

    /** The connection, recording each statement it creates and each execution of one. */
    private Connection counting(Connection target) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (result instanceof Statement statement) {
                        sent.add(method.getName());
                        return countingStatement(statement, method.getReturnType());
                    }
                    return result;
                });
    }

    private Object countingStatement(Statement target, Class<?> type) {
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (EXECUTIONS.contains(method.getName())) {
                sent.add(method.getName());
            }
            return invoke(target, method, args);
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
