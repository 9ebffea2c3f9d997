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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A DataSource that prints one line per statement a node sends:
 * {@code Q <tag> <startMicros> <endMicros> ok|err c<connection>}.
 * It sees the library from outside (the JDBC calls its {@code LockSession} makes), so the harness can
 * time each step of a hand-over and count statements per node, errors included, without touching the
 * library. Cost: a reflective call and a println per statement (microseconds; a standby sends one
 * statement per wait slice, a leader one per heartbeat).
 */
final class TracingDataSource implements DataSource {

    private final DataSource target;
    private final boolean unwrappable;
    private final AtomicInteger opened = new AtomicInteger();

    /**
     * @param target      the real DataSource
     * @param unwrappable whether a connection unwraps to the driver's; when false, it unwraps to nothing but
     *                    itself, like a pool's handle that gives nothing away, so that issue 11's layer cannot
     *                    reach pgjdbc's {@code getNotifications} and falls back to heartbeats alone (no notices)
     */
    TracingDataSource(DataSource target, boolean unwrappable) {
        this.target = target;
        this.unwrappable = unwrappable;
    }

    /**
     * What a statement is, from its SQL text (the library's statements are constant text). Both lock layers'
     * statements have tags: one lock session per singleton ({@code LOCK}/{@code TRY}, then {@code TOKEN}) and
     * issue 11's node session ({@code LIVENESS}, {@code LISTEN}, {@code TRYALL}: every wanted lock and the token in
     * one statement; {@code UNLOCK}: unlock and the {@code released} notice; {@code WATCH}: the watcher's shared
     * wait on another node's liveness lock, which sends the {@code gone} notice when granted; {@code ANNOUNCE}:
     * strict takeover's {@code acquired} notices).
     */
    static String tag(String sql) {
        if (sql == null) {
            return "OTHER";
        }
        String text = sql.trim();
        if (text.startsWith("UNLISTEN")) {
            return "UNLISTEN";
        }
        if (text.startsWith("LISTEN")) {
            return "LISTEN";
        }
        if (sql.contains("pg_advisory_lock_shared")) {
            return "WATCH";
        }
        if (sql.contains("pg_try_advisory_lock") && sql.contains("unnest(")) {
            return "TRYALL";
        }
        if (sql.contains("pg_try_advisory_lock(?)")) {
            return "LIVENESS";
        }
        if (sql.contains("pg_try_advisory_lock")) {
            return "TRY";
        }
        if (sql.contains("pg_try_advisory_xact_lock")) {
            return "FENCE"; // the fence's barrier tried on the node session after a grab (docs/design/fencing.md §4)
        }
        if (sql.contains("pg_advisory_unlock_all")) {
            return "UNLOCKALL";
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
        if (sql.contains("pg_notify") && sql.contains("'acquired '")) {
            return "ANNOUNCE"; // strict takeover: the new terms, announced before their instances start
        }
        if (sql.contains("pg_notify")) {
            return "NOTIFY";
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
        if (sql.contains("pg_locks") && sql.contains("objsubid = 1")) {
            return "RING";
        }
        if (sql.contains("pg_locks")) {
            return "HOLDER";
        }
        if (HEARTBEAT.matcher(text).matches()) {
            return "BEAT";
        }
        return "OTHER";
    }

    /** The heartbeat: the backend's pid, and perhaps the session tag the library set at open. */
    private static final Pattern HEARTBEAT =
            Pattern.compile("SELECT pg_backend_pid\\(\\)(, current_setting\\('[a-z_.]+', true\\))?");

    static void print(String tag, long start, long end, boolean ok) {
        System.out.println("Q " + tag + " " + start + " " + end + (ok ? " ok" : " err"));
    }

    /** The same, with the connection that sent it ({@code c<n>}, numbered in the order they were opened). */
    static void print(String tag, long start, long end, boolean ok, int connection) {
        System.out.println("Q " + tag + " " + start + " " + end + (ok ? " ok" : " err") + " c" + connection);
    }

    @Override
    public Connection getConnection() throws SQLException {
        long start = Clock.micros();
        boolean ok = false;
        try {
            Connection connection = target.getConnection();
            ok = true;
            return wrap(connection, Connection.class, new ConnectionHandler(connection, unwrappable, opened.incrementAndGet()));
        } finally {
            print("CONNECT", start, Clock.micros(), ok);
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        Connection connection = target.getConnection(username, password);
        return wrap(connection, Connection.class, new ConnectionHandler(connection, unwrappable, opened.incrementAndGet()));
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
        private final boolean unwrappable;
        private final int number;

        ConnectionHandler(Connection connection, boolean unwrappable, int number) {
            this.connection = connection;
            this.unwrappable = unwrappable;
            this.number = number;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (!unwrappable && method.getName().equals("isWrapperFor")) {
                return ((Class<?>) args[0]).isInstance(proxy);
            }
            if (!unwrappable && method.getName().equals("unwrap")) {
                if (((Class<?>) args[0]).isInstance(proxy)) {
                    return proxy;
                }
                throw new SQLException("not a wrapper for " + args[0]);
            }
            Object result = call(connection, method, args);
            if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                return wrap(result, PreparedStatement.class, new StatementHandler((Statement) result, tag(sql), number));
            }
            if (method.getName().equals("createStatement")) {
                return wrap(result, Statement.class, new StatementHandler((Statement) result, null, number));
            }
            return result;
        }
    }

    private static final class StatementHandler implements InvocationHandler {
        private final Statement statement;
        private final String tag;
        private final int connection;

        StatementHandler(Statement statement, String tag, int connection) {
            this.statement = statement;
            this.tag = tag;
            this.connection = connection;
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
                print(what, start, Clock.micros(), ok, connection);
            }
        }
    }
}
