package io.highlander.benchmarks;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource that prints one line per statement a node sends: {@code Q <tag> <startMicros> <endMicros> ok|err}.
 * It sees the library from outside (the JDBC calls its {@code LockSession} makes), so the harness can
 * time each step of a hand-over and count statements per node, errors included, without touching the
 * library. Cost: a reflective call and a println per statement (microseconds; a standby sends one
 * statement per wait slice, a leader one per heartbeat).
 */
final class TracingDataSource implements DataSource {

    private final DataSource target;

    TracingDataSource(DataSource target) {
        this.target = target;
    }

    /** What a statement is, from its SQL text (the library's statements are constant text). */
    static String tag(String sql) {
        if (sql == null) {
            return "OTHER";
        }
        if (sql.contains("pg_try_advisory_lock")) {
            return "TRY";
        }
        if (sql.contains("pg_advisory_unlock")) {
            return "UNLOCK";
        }
        if (sql.contains("pg_advisory_lock")) {
            return "LOCK";
        }
        if (sql.contains("pg_current_xact_id")) {
            return "TOKEN";
        }
        if (sql.contains("reset_val")) {
            return "RESET";
        }
        if (sql.contains("'application_name'")) {
            return "SETUP";
        }
        if (sql.contains("server_version_num")) {
            return "SERVER";
        }
        if (sql.contains("pg_locks")) {
            return "HOLDER";
        }
        if (sql.trim().equalsIgnoreCase("SELECT pg_backend_pid()")) {
            return "BEAT";
        }
        return "OTHER";
    }

    static void print(String tag, long start, long end, boolean ok) {
        System.out.println("Q " + tag + " " + start + " " + end + (ok ? " ok" : " err"));
    }

    @Override
    public Connection getConnection() throws SQLException {
        long start = Clock.micros();
        boolean ok = false;
        try {
            Connection connection = target.getConnection();
            ok = true;
            return wrap(connection, Connection.class, new ConnectionHandler(connection));
        } finally {
            print("CONNECT", start, Clock.micros(), ok);
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        Connection connection = target.getConnection(username, password);
        return wrap(connection, Connection.class, new ConnectionHandler(connection));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return target.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return target.isWrapperFor(type);
    }

    private static <T> T wrap(Object target, Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(TracingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static final class ConnectionHandler implements InvocationHandler {
        private final Connection connection;

        ConnectionHandler(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object result = call(connection, method, args);
            if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                return wrap(result, PreparedStatement.class, new StatementHandler((Statement) result, tag(sql)));
            }
            if (method.getName().equals("createStatement")) {
                return wrap(result, Statement.class, new StatementHandler((Statement) result, null));
            }
            return result;
        }
    }

    private static final class StatementHandler implements InvocationHandler {
        private final Statement statement;
        private final String tag;

        StatementHandler(Statement statement, String tag) {
            this.statement = statement;
            this.tag = tag;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (!method.getName().startsWith("execute")) {
                return call(statement, method, args);
            }
            String what = tag != null ? tag : tag(args != null && args.length > 0 ? String.valueOf(args[0]) : null);
            long start = Clock.micros();
            boolean ok = false;
            try {
                Object result = call(statement, method, args);
                ok = true;
                return result;
            } finally {
                print(what, start, Clock.micros(), ok);
            }
        }
    }
}
