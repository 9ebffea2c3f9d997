package io.highlander.faults;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.internal.HighlanderExtension;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A node process that writes in fenced transactions, driven line by line on stdin: {@code FENCE} opens a connection
 * of the application's (named {@code fenced-writer:<node>}), fences it by the singleton's term and inserts a row,
 * then answers {@code FENCED <token>}; {@code COMMIT} commits it and answers {@code COMMITTED} or
 * {@code COMMIT_FAILED <SQLState>}. At each term's start it prints {@code ACQUIRED <token> old-open=<n>}, where n
 * counts the other nodes' fenced-writer backends still alive at that instant (a fenced transaction of an older term
 * that has not ended). Settings come as system properties ({@code highlander.*}, {@code faults.jdbc.*}).
 */
public final class FencedNodeMain {

    static final String SINGLETON = "fenced-writer";
    static final String WRITER_PREFIX = "fenced-writer:";

    private FencedNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(3)));
        WeldContainer container = new Weld().disableDiscovery()
                .addBeanClasses(Writer.class, Terms.class, Connections.class)
                .addExtension(new HighlanderExtension())
                .initialize();
        Leadership leadership = container.select(Leadership.class, OfSingleton.Literal.of(SINGLETON)).get();
        say("STARTED");
        Connection open = null;
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command = commands.readLine(); command != null; command = commands.readLine()) {
            try {
                if (command.equals("FENCE")) {
                    open = connect(WRITER_PREFIX + node());
                    open.setAutoCommit(false);
                    long token = leadership.fence(open);
                    try (PreparedStatement insert = open.prepareStatement("INSERT INTO written (node, token) VALUES (?, ?)")) {
                        insert.setString(1, node());
                        insert.setLong(2, token);
                        insert.executeUpdate();
                    }
                    say("FENCED " + token);
                } else if (command.equals("COMMIT")) {
                    try {
                        open.commit();
                        say("COMMITTED");
                    } catch (SQLException e) {
                        say("COMMIT_FAILED " + e.getSQLState());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                say("FAILED " + command + " " + e);
            }
        }
    }

    static String node() {
        return System.getProperty("highlander.node-id");
    }

    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static Connection connect(String applicationName) throws SQLException {
        Connection connection = DriverManager.getConnection(System.getProperty("faults.jdbc.url"),
                System.getProperty("faults.jdbc.user"), System.getProperty("faults.jdbc.password"));
        try (PreparedStatement name = connection.prepareStatement("SELECT set_config('application_name', ?, false)")) {
            name.setString(1, applicationName);
            name.executeQuery().close();
        }
        return connection;
    }

    /** The singleton whose terms fence the writes; it does nothing of its own. */
    @ApplicationScoped
    @ClusterSingleton(SINGLETON)
    public static class Writer {
    }

    /** Prints each term's start, with the other nodes' fenced transactions still open at that instant. */
    @ApplicationScoped
    public static class Terms {
        void acquired(@Observes LeadershipAcquired event) throws SQLException {
            try (Connection connection = connect("fenced-observer:" + node());
                 PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                         + " WHERE application_name LIKE ? AND application_name <> ?")) {
                query.setString(1, WRITER_PREFIX + "%");
                query.setString(2, WRITER_PREFIX + node());
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    say("ACQUIRED " + event.fencingToken() + " old-open=" + row.getInt(1));
                }
            }
        }
    }

    /** The library's lock connections: straight to the server, no pool. */
    public static class Connections {
        @Produces
        @HighlanderDataSource
        DataSource dataSource() {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(System.getProperty("faults.jdbc.url"));
            dataSource.setUser(System.getProperty("faults.jdbc.user"));
            dataSource.setPassword(System.getProperty("faults.jdbc.password"));
            return dataSource;
        }
    }
}
