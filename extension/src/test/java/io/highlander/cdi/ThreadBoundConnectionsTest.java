package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Some servers' pools tie a connection handle to the thread that borrowed it (Open Liberty's handles fail with
 * a {@code NullPointerException} inside the pool when another thread uses them). The library may end a
 * connection from another thread ({@code abort}, {@code close}), but must run its statements on the thread that
 * borrowed the connection.
 */
class ThreadBoundConnectionsTest {

    /** What another thread may still call on a handle: ending it, as a watchdog does. */
    private static final Set<String> ANY_THREAD = Set.of("abort", "close", "isClosed", "toString", "hashCode", "equals");

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void aNodeUsesEachConnectionOnTheThreadThatBorrowedIt() {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("bound").lease(Duration.ofSeconds(3)).build();

        TestNode node = cluster.start(settings, threadBound(cluster.dataSource()), Ticker.class);

        await().atMost(Duration.ofSeconds(30)).until(() -> node.elector().isLeader("ticker"));
        assertThat(node.elector().status("ticker").state()).isEqualTo(SingletonState.LEADING);
    }

    private static DataSource threadBound(DataSource target) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, target, args);
                    return result instanceof Connection connection ? bound(connection, Thread.currentThread()) : result;
                });
    }

    private static Connection bound(Connection target, Thread owner) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (Thread.currentThread() != owner && !ANY_THREAD.contains(method.getName())) {
                        throw new NullPointerException("managedConn is null (the handle was borrowed on " + owner.getName()
                                + " and used on " + Thread.currentThread().getName() + ")");
                    }
                    return invoke(method, target, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
