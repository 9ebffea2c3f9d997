package io.highlander.cdi.internal.election;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A DataSource whose statements, once {@link #stall()}ed, hold the lock thread of a node before they are sent:
 * a server that answers late while the connection still works. Other threads are never held.
 */
final class StallingDataSource {

    private final DataSource target;
    private volatile CountDownLatch stalled;
    private final AtomicInteger held = new AtomicInteger();

    StallingDataSource(DataSource target) {
        this.target = target;
    }

    /** From now on, every statement a lock thread executes waits until {@link #resume()}. */
    void stall() {
        stalled = new CountDownLatch(1);
    }

    /** Lets the held statements go on, and stops holding new ones. */
    void resume() {
        CountDownLatch current = stalled;
        stalled = null;
        if (current != null) {
            current.countDown();
        }
    }

    /** @return how many statements were held so far */
    int held() {
        return held.get();
    }

    DataSource dataSource() {
        return proxy(DataSource.class, (proxy, method, args) -> {
            Object result = invoke(target, method, args);
            return result instanceof Connection connection ? connection(connection) : result;
        });
    }

    private Connection connection(Connection real) {
        return proxy(Connection.class, (proxy, method, args) -> {
            Object result = invoke(real, method, args);
            if (result instanceof PreparedStatement statement) {
                return proxy(PreparedStatement.class, statementHandler(statement));
            }
            return result;
        });
    }

    private InvocationHandler statementHandler(Statement real) {
        return (proxy, method, args) -> {
            if (method.getName().startsWith("execute")) {
                holdIfStalled();
            }
            return invoke(real, method, args);
        };
    }

    private void holdIfStalled() throws InterruptedException {
        CountDownLatch current = stalled;
        if (current != null && Thread.currentThread().getName().endsWith("-lock")) {
            held.incrementAndGet();
            current.await(60, TimeUnit.SECONDS);
        }
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }
}
