package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node's node session and watcher are on one server while both are open ({@link PostgresSessions}), even when its
 * DataSource reaches two places that both take connections as a primary. Two databases of one real server stand in
 * for the two primaries: a session's {@link ClusterIdentity} names its database, and a watcher on another database,
 * like one on another server, sees none of the node sessions' locks.
 */
class SameServerSessionsTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final TestPostgres postgres = TestPostgres.shared();
    private final String first = postgres.newDatabase();
    private final String second = postgres.newDatabase();

    @Test
    void aWatcherThatLandsElsewhereThanTheOpenNodeSessionIsRefusedAndClosed() throws Exception {
        String node = "same-server-a-" + System.nanoTime();
        PostgresSessions sessions = sessions(node, first, second);
        NodeStatements nodeSession = sessions.openNode("node " + node);
        try {
            assertThatThrownBy(() -> sessions.openWatcher("watcher of " + node))
                    .isInstanceOf(SQLException.class).hasMessageStartingWith("HL-0351");
            await("the refused watcher's backend gone").atMost(PATIENCE).until(() -> backends(second, node) == 0);
        } finally {
            nodeSession.release();
        }
    }

    @Test
    void aNodeSessionThatOpensElsewhereEndsTheOpenWatcher() throws Exception {
        String node = "same-server-b-" + System.nanoTime();
        PostgresSessions sessions = sessions(node, second, first); // the watcher first, as after a failover
        WatcherStatements watcher = sessions.openWatcher("watcher of " + node);
        NodeStatements nodeSession = sessions.openNode("node " + node);
        try {
            assertThat(watcher.ended()).as("the watcher on the other server").isTrue();
            await("the watcher's backend gone").atMost(PATIENCE).until(() -> backends(second, node) == 0);
        } finally {
            nodeSession.release();
            watcher.release();
        }
    }

    @Test
    void bothOnOneServerStayOpen() throws Exception {
        String node = "same-server-c-" + System.nanoTime();
        PostgresSessions sessions = sessions(node, first, first);
        NodeStatements nodeSession = sessions.openNode("node " + node);
        WatcherStatements watcher = sessions.openWatcher("watcher of " + node);
        try {
            assertThat(watcher.ended()).isFalse();
            assertThat(nodeSession.ended()).isFalse();
        } finally {
            watcher.release();
            nodeSession.release();
        }
    }

    /** Sessions whose connects go to the given databases' URLs, one after the other. */
    private PostgresSessions sessions(String nodeId, String... urls) {
        Deque<String> next = new ArrayDeque<>(List.of(urls));
        ConnectionSource source = new ConnectionSource() {
            @Override
            public synchronized Connection connect() throws SQLException {
                return DriverManager.getConnection(next.isEmpty() ? urls[urls.length - 1] : next.poll(),
                        postgres.user(), postgres.password());
            }

            @Override
            public String description() {
                return "two databases";
            }
        };
        return new PostgresSessions(source, nodeId, LEASE, LEASE, LEASE, false, 0);
    }

    private int backends(String url, String nodeId) throws SQLException {
        try (Connection observer = DriverManager.getConnection(url, postgres.user(), postgres.password());
             PreparedStatement query = observer.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                     + " WHERE application_name = ? AND datname = current_database()")) {
            query.setString(1, LockSession.APPLICATION_NAME_PREFIX + nodeId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }
}
