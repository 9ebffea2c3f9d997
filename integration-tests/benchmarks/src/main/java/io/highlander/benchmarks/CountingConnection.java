package io.highlander.benchmarks;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A JDBC trace of the application's connection in the fence benchmark: every call the application and the library
 * make on it, counted as they happen. Statements are the {@code execute*} calls. Round trips are what pgjdbc sends
 * and waits for: one per {@code execute*} (it sends {@code BEGIN} in the same message sequence as a transaction's
 * first statement) and one per {@code commit}/{@code rollback}; every other call ({@code getAutoCommit},
 * {@code prepareStatement}, {@code setInt}, {@code close}) is answered by the driver without the server, and the
 * trace lists it so that a new one shows. One thread at a time.
 */
final class CountingConnection {

    /** Statements and round trips counted into one bucket. */
    static final class Counts {
        private long statements;
        private long roundTrips;

        long statements() {
            return statements;
        }

        long roundTrips() {
            return roundTrips;
        }
    }

    private final Connection target;
    private Counts into;
    private List<String> calls;

    CountingConnection(Connection target) {
        this.target = target;
    }

    /** @return the connection to hand to the application and the library */
    Connection proxy() {
        return (Connection) Proxy.newProxyInstance(CountingConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ConnectionCalls());
    }

    /**
     * Counts the calls from now on into {@code counts} ({@code null}: nowhere).
     *
     * @param keepCalls whether to keep the list of calls until the next switch, for {@link #calls()}
     */
    void countInto(Counts counts, boolean keepCalls) {
        into = counts;
        calls = keepCalls ? new ArrayList<>() : null;
    }

    /** @return the calls kept since the last {@code countInto(…, true)}, in order, or {@code null} */
    String calls() {
        return calls == null ? null : String.join(", ", calls);
    }

    private void seen(String call, boolean statement, boolean roundTrip) {
        if (into != null) {
            into.statements += statement ? 1 : 0;
            into.roundTrips += roundTrip ? 1 : 0;
        }
        if (calls != null) {
            calls.add(call);
        }
    }

    /** What a statement is: the fence's own entry, or the first word of the application's SQL. */
    private static String what(String sql) {
        if (sql == null) {
            return "?";
        }
        if (sql.contains("pg_advisory_xact_lock_shared")) {
            return "fence entry";
        }
        String text = sql.trim();
        int space = text.indexOf(' ');
        return space < 0 ? text : text.substring(0, space);
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private final class ConnectionCalls implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "commit", "rollback" -> seen(name, false, true);
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "toString" -> {
                    return "counting " + target;
                }
                default -> seen(name, false, false);
            }
            Object result = call(target, method, args);
            if (name.equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                return Proxy.newProxyInstance(CountingConnection.class.getClassLoader(),
                        new Class<?>[] {PreparedStatement.class}, new StatementCalls((Statement) result, what(sql)));
            }
            if (name.equals("createStatement")) {
                return Proxy.newProxyInstance(CountingConnection.class.getClassLoader(),
                        new Class<?>[] {Statement.class}, new StatementCalls((Statement) result, null));
            }
            return result;
        }
    }

    private final class StatementCalls implements InvocationHandler {
        private final Statement statement;
        private final String what;

        StatementCalls(Statement statement, String what) {
            this.statement = statement;
            this.what = what;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.startsWith("execute")) {
                String sql = what != null ? what : what(args != null && args.length > 0 ? String.valueOf(args[0]) : null);
                seen(name + " [" + sql + "]", true, true);
            } else if (name.equals("close")) {
                seen("statement.close", false, false);
            }
            return call(statement, method, args);
        }
    }
}
