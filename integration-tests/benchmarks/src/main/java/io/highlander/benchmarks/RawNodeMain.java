package io.highlander.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The floor: a minimal node with no CDI and no library, only JDBC. It waits in {@code pg_advisory_lock},
 * prints {@code UP raw <epochMicros>} the moment the lock returns, and on SIGTERM unlocks from a shutdown
 * hook (printing {@code Q UNLOCK} around it). Same JVM flags and same stdout path as {@link NodeMain}.
 */
public final class RawNodeMain {

    static final int NAMESPACE = 424242;
    static final int KEY = 7;

    private static volatile boolean held;

    private RawNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Connection connection = DriverManager.getConnection(System.getProperty("bench.jdbc.url"),
                System.getProperty("bench.jdbc.user"), emptyToNull(System.getProperty("bench.jdbc.password")));
        try (PreparedStatement name = connection.prepareStatement("SELECT set_config('application_name', ?, false)")) {
            name.setString(1, "raw:" + System.getProperty("highlander.node-id", "raw"));
            name.executeQuery().close();
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
                TracingDataSource.print("UNLOCK", start, Clock.micros(), true);
            } catch (SQLException e) {
                TracingDataSource.print("UNLOCK", start, Clock.micros(), false);
            }
        }, "raw-unlock"));
        System.out.println("READY raw " + Clock.micros());
        Thread waiter = new Thread(() -> {
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

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
