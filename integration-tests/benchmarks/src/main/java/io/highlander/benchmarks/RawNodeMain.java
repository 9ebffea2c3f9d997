package io.highlander.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The floor: a minimal node with no CDI and no library, only JDBC. It waits in {@code pg_advisory_lock},
 * prints {@code UP raw <epochMicros>} the moment the lock returns, and on SIGTERM unlocks from a shutdown
 * hook (printing {@code Q UNLOCK} around it). Same JVM flags and same stdout path as {@link NodeMain}.
 *
 * <p>Two variants. The <b>cold</b> floor (F1/F2) sends nothing before its lock but one {@code application_name}
 * setting, through the bare driver. The <b>warm</b> floor ({@code -Dbench.raw.warm=true}, F1w/F2w) first sends
 * what a Highlander standby sends before it waits, statement for statement, through the same
 * {@link TracingDataSource} (see {@link #warmUp}), so that its JVM has run the driver's and the trace's paths as
 * often as a standby's has when the lock comes: the difference between a Highlander row and the warm floor is
 * then the library's own takeover, not a JVM's first query.
 */
public final class RawNodeMain {

    static final int NAMESPACE = 424242;
    static final int KEY = 7;

    private static volatile boolean held;

    // the warm floor's statements: the same kinds (and trace tags) as the library's, see warmUp
    private static final String SERVER_SQL = "SELECT current_setting('server_version_num')::int, pg_is_in_recovery(),"
            + " pg_backend_pid(), coalesce(host(inet_server_addr()) || ':' || inet_server_port(), 'local') || '/'"
            + " || current_database()";
    private static final String SETUP_SQL = "SELECT set_config('application_name', ?, false),"
            + " set_config('idle_session_timeout', '0', false), set_config('idle_in_transaction_session_timeout', '0',"
            + " false), set_config('lock_timeout', '0', false), set_config('statement_timeout', '0', false),"
            + " pg_backend_pid()";
    private static final String HOLDER_SQL = "SELECT l.pid, a.application_name FROM pg_locks l LEFT JOIN"
            + " pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.database ="
            + " (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.classid::bigint = ?"
            + " AND l.objid::bigint = ? AND l.objsubid = 2";
    private static final String TOKEN_LIKE_SQL = "SELECT pg_current_xact_id()::text::bigint, pg_backend_pid()";

    private RawNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean warm = Boolean.getBoolean("bench.raw.warm");
        String applicationName = "raw:" + System.getProperty("highlander.node-id", "raw");
        Connection connection;
        if (warm) {
            DataSource source = tracing();
            connection = warmUp(source, applicationName);
        } else {
            connection = DriverManager.getConnection(System.getProperty("bench.jdbc.url"),
                    System.getProperty("bench.jdbc.user"), emptyToNull(System.getProperty("bench.jdbc.password")));
            try (PreparedStatement name = connection.prepareStatement("SELECT set_config('application_name', ?, false)")) {
                name.setString(1, applicationName);
                name.executeQuery().close();
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!held) {
                return; // a standby: the lock statement still occupies the connection; exiting closes it
            }
            long start = Clock.micros();
            try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
                unlock.setInt(1, NAMESPACE);
                unlock.setInt(2, KEY);
                unlock.executeQuery().close();
                if (!warm) { // a warm node's connection traces its statements itself
                    TracingDataSource.print("UNLOCK", start, Clock.micros(), true);
                }
            } catch (SQLException e) {
                if (!warm) {
                    TracingDataSource.print("UNLOCK", start, Clock.micros(), false);
                }
            }
        }, "raw-unlock"));
        System.out.println("READY raw " + Clock.micros());
        if (warm) {
            try (Connection probe = tracing().getConnection()) {
                // the standby's last connection before it waits (a short-lived one), as in its trace
            }
        }
        Thread waiter = new Thread(() -> {
            if (warm && held) {
                System.out.println("UP raw " + Clock.micros()); // its try-lock won, as a Highlander node's would
                return;
            }
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
                lock.setInt(1, NAMESPACE);
                lock.setInt(2, KEY);
                lock.executeQuery().close();
                long now = Clock.micros();
                held = true;
                System.out.println("UP raw " + now);
            } catch (SQLException e) {
                System.out.println("FAILED " + e.getMessage().replace('\n', ' '));
            }
        }, "raw-lock");
        waiter.setDaemon(true);
        waiter.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // until the harness closes our input
        }
        System.exit(0);
    }

    /**
     * What a Highlander standby sends before it waits, in the order of its trace (NodeBootstrap's start-up checks,
     * then the lock session's open and its first try): two short-lived connections with the server query each,
     * then the lock connection's server query, session settings, try-lock and holder lookup, plus one token-like
     * query (the token's kind of statement, a bigint from {@code pg_current_xact_id()}). The settings are the
     * library's {@code set_config} call with values that change nothing here (a floor's lock must not time out).
     *
     * @return the lock connection; {@link #held} is set if the try-lock won
     */
    private static Connection warmUp(DataSource source, String applicationName) throws SQLException {
        for (int i = 0; i < 2; i++) {
            try (Connection check = source.getConnection()) {
                query(check, SERVER_SQL);
            }
        }
        Connection connection = source.getConnection();
        query(connection, SERVER_SQL);
        try (PreparedStatement setup = connection.prepareStatement(SETUP_SQL)) {
            setup.setString(1, applicationName);
            setup.executeQuery().close();
        }
        try (PreparedStatement tryLock = connection.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            tryLock.setInt(1, NAMESPACE);
            tryLock.setInt(2, KEY);
            try (ResultSet row = tryLock.executeQuery()) {
                row.next();
                held = row.getBoolean(1);
            }
        }
        if (!held) {
            try (PreparedStatement holder = connection.prepareStatement(HOLDER_SQL)) {
                holder.setLong(1, NAMESPACE);
                holder.setLong(2, KEY);
                holder.executeQuery().close();
            }
            query(connection, TOKEN_LIKE_SQL);
        }
        return connection;
    }

    private static void query(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                row.getObject(1);
            }
        }
    }

    private static DataSource tracing() {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(System.getProperty("bench.jdbc.url"));
        pg.setUser(System.getProperty("bench.jdbc.user"));
        String password = System.getProperty("bench.jdbc.password");
        if (password != null && !password.isEmpty()) {
            pg.setPassword(password);
        }
        return new TracingDataSource(pg, true);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
