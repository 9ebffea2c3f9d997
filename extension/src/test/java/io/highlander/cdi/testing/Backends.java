package io.highlander.cdi.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** PostgreSQL backends of a test's nodes, found and ended as an administrator would. */
public final class Backends {

    private Backends() {
    }

    /** @return the backend of a node's node session: the one holding its liveness lock (the watcher holds none) */
    public static int nodeSessionOf(DataSource admin, String nodeId) throws SQLException {
        try (Connection connection = admin.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a"
                     + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                     + " AND l.mode = 'ExclusiveLock' AND a.application_name = ?")) {
            query.setString(1, "highlander:" + nodeId);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).as("a node session of %s", nodeId).isTrue();
                return row.getInt(1);
            }
        }
    }

    /** Ends a backend with {@code pg_terminate_backend}, as an administrator or a failover tool does. */
    public static void terminate(DataSource admin, int pid) throws SQLException {
        try (Connection connection = admin.getConnection();
             PreparedStatement terminate = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            terminate.setInt(1, pid);
            try (ResultSet result = terminate.executeQuery()) {
                assertThat(result.next() && result.getBoolean(1)).as("backend %d terminated", pid).isTrue();
            }
        }
    }
}
