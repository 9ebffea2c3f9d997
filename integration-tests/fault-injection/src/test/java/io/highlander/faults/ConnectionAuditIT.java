package io.highlander.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lock half of the audit against a real server: it must find a lock that no current term explains. */
class ConnectionAuditIT {

    private final FaultCluster cluster;

    ConnectionAuditIT() throws Exception {
        cluster = new FaultCluster("connection-audit");
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void aLockHeldByAPooledConnectionIsFound() throws Exception {
        try (Connection pooled = cluster.connect(NodeMain.POOL_APPLICATION_NAME_PREFIX + "a")) {
            assertThat(ConnectionAudit.lockProblems(cluster)).isEmpty();
            lock(pooled);

            assertThat(ConnectionAudit.lockProblems(cluster)).singleElement().asString()
                    .contains("advisory lock held by Backend[pid=").contains("applicationName=pool:a")
                    .endsWith("while the live nodes believing they lead are []");
        }
    }

    @Test
    void aLockSessionOfANodeThatIsGoneIsFound() throws Exception {
        try (Connection session = cluster.connect("highlander:a")) {
            assertThat(ConnectionAudit.lockProblems(cluster)).singleElement().asString()
                    .startsWith("lock session(s) of node a, which is gone");
            lock(session);

            assertThat(ConnectionAudit.lockProblems(cluster)).hasSize(2);
        }
        org.awaitility.Awaitility.await("nothing once the session ended").atMost(java.time.Duration.ofSeconds(5))
                .until(() -> ConnectionAudit.lockProblems(cluster).isEmpty());
    }

    @Test
    void aLivenessLockOfAPooledConnectionOrAStuckWatcherGrantIsFound() throws Exception {
        try (Connection pooled = cluster.connect(NodeMain.POOL_APPLICATION_NAME_PREFIX + "a");
             Connection watcher = cluster.connect(NodeMain.POOL_APPLICATION_NAME_PREFIX + "b")) {
            assertThat(ConnectionAudit.lockProblems(cluster)).isEmpty();
            livenessLock(pooled, "SELECT pg_advisory_lock(?)", 77L);
            livenessLock(watcher, "SELECT pg_advisory_lock_shared(?)", 78L);

            assertThat(ConnectionAudit.lockProblems(cluster)).hasSize(2).anySatisfy(problem -> assertThat(problem)
                    .startsWith("liveness lock held by Backend[pid=").contains("applicationName=pool:a"))
                    .anySatisfy(problem -> assertThat(problem)
                            .startsWith("a watcher's grant of a liveness lock still held by Backend[pid=")
                            .contains("applicationName=pool:b"));
        }
    }

    private static void livenessLock(Connection connection, String sql, long key) throws Exception {
        try (PreparedStatement lock = connection.prepareStatement(sql)) {
            lock.setLong(1, key);
            lock.executeQuery().close();
        }
    }

    private static void lock(Connection connection) throws Exception {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
            lock.setInt(1, 1);
            lock.setInt(2, 2);
            lock.executeQuery().close();
        }
    }
}
