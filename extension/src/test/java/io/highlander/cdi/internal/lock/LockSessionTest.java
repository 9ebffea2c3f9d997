package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.testing.OneConnectionPool;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The only class that speaks SQL, against a real PostgreSQL. */
class LockSessionTest {

    private static final LockKey KEY = LockKey.of(7, "ticker");
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration INTERVAL = Duration.ofMillis(200);

    private DataSource dataSource;
    private ConnectionSource connections;
    private OneConnectionPool pool;

    @BeforeEach
    void freshDatabase() {
        TestPostgres postgres = TestPostgres.shared();
        dataSource = postgres.dataSource(postgres.newDatabase());
        connections = DataSourceLocator.of(dataSource, "test");
    }

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.shutdown();
        }
    }

    @Test
    void releaseHandsTheConnectionBackToItsPoolWithoutLockOrSettings() throws SQLException {
        pool = OneConnectionPool.over(dataSource, 1);
        String applicationName = setting(pool.physical(), "application_name");
        String synchronousCommit = setting(pool.physical(), "synchronous_commit");
        NodeSessionStatements session = Live.node(LockSession.open(pooled(pool), "ticker", "node-a", LEASE, INTERVAL));
        assertThat(session.listen()).isTrue();
        assertThat(Live.take(session, KEY)).isTrue();
        assertThat(advisoryLocksOf(pool.physical())).isEqualTo(1);
        assertThat(setting(pool.physical(), "idle_session_timeout")).isEqualTo("10s");
        assertThat(setting(pool.physical(), "synchronous_commit")).as("never waits on a replica").isEqualTo("local");

        session.release();

        assertThat(pool.aborts()).isZero();
        assertThat(advisoryLocksOf(pool.physical())).isZero();
        assertThat(setting(pool.physical(), "idle_session_timeout")).isEqualTo("0");
        assertThat(setting(pool.physical(), "idle_in_transaction_session_timeout")).isEqualTo("0");
        assertThat(setting(pool.physical(), "lock_timeout")).isEqualTo("0");
        assertThat(setting(pool.physical(), "synchronous_commit")).isEqualTo(synchronousCommit);
        assertThat(setting(pool.physical(), "application_name")).isEqualTo(applicationName);
    }

    @Test
    void aWatcherWaitsAtMostItsBoundThenSeesTheNodeGone() throws SQLException {
        NodeSessionStatements node = NodeSessionStatements.open(connections, "ticker", "a", LEASE, INTERVAL, false);
        WatcherSessionStatements watcher = WatcherSessionStatements.open(connections, "ticker", "b", INTERVAL);
        try {
            assertThat(node.takeLiveness(KEY.namespace(), 42)).isTrue();
            Notice.Gone gone = new Notice.Gone(KEY.namespace(), 42);

            assertThat(watcher.awaitGone(gone)).as("lock_timeout ends the wait").isFalse();
            assertThat(watcher.liveNodes(KEY.namespace())).extracting(LiveNode::liveness).containsExactly(42);

            node.release();
            assertThat(watcher.awaitGone(gone)).isTrue();
            assertThat(watcher.liveNodes(KEY.namespace())).isEmpty();
        } finally {
            node.abandon();
            watcher.release();
        }
    }

    @Test
    void fencingTokensIncreaseFromTermToTerm() throws SQLException {
        NodeSessionStatements first = NodeSessionStatements.open(connections, "ticker", "a", LEASE, INTERVAL, false);
        NodeSessionStatements second = NodeSessionStatements.open(connections, "ticker", "b", LEASE, INTERVAL, false);
        try {
            long firstToken = Live.grab(first, KEY).token();
            first.release();
            NodeStatements.Grab next = Live.grab(second, KEY);

            assertThat(next.keys()).containsExactly(KEY.key());
            assertThat(next.token()).isGreaterThan(firstToken);
        } finally {
            second.release();
        }
    }

    @Test
    void aTakeoversTokenIsTheFloorPlusTheTimelineAboveTheTransactionIdAndItsNoticeCarriesTheSameToken()
            throws SQLException {
        long floor = 1_000_000_000_000_000L;
        NodeSessionStatements listener = NodeSessionStatements.open(connections, "ticker", "a", LEASE, INTERVAL, false);
        NodeSessionStatements taker = NodeSessionStatements.open(connections, "ticker", "b", LEASE, INTERVAL, false,
                floor);
        try {
            assertThat(listener.listen()).isTrue();
            ClusterIdentity cluster = taker.cluster();
            assertThat(cluster.timeline()).isPositive();
            assertThat(cluster.systemIdentifier()).as("a plain role reads it on PostgreSQL 14+").isPresent();

            NodeStatements.Grab grab = Live.grab(taker, KEY);

            assertThat(grab.keys()).containsExactly(KEY.key());
            assertThat(FencingToken.timeline(grab.token() - floor)).isEqualTo(cluster.timeline());
            assertThat(FencingToken.transactionId(grab.token() - floor)).isPositive();
            List<Notice> heard = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                listener.awaitNotices(50).forEach(notice -> heard.add(notice.notice()));
                return !heard.isEmpty();
            });
            assertThat(heard).containsExactly(new Notice.Acquired(KEY.namespace(), KEY.key(), grab.token()));
        } finally {
            listener.release();
            taker.release();
        }
    }

    @Test
    void aTokenFloorThatWouldOverflowTakesNoTermAndSendsNoNotice() throws SQLException {
        NodeSessionStatements listener = NodeSessionStatements.open(connections, "ticker", "a", LEASE, INTERVAL, false);
        NodeSessionStatements taker = NodeSessionStatements.open(connections, "ticker", "b", LEASE, INTERVAL, false,
                Long.MAX_VALUE - 1);
        try {
            assertThat(listener.listen()).isTrue();

            assertThatThrownBy(() -> Live.grab(taker, KEY)).isInstanceOf(TokenOutOfRangeException.class)
                    .hasMessageStartingWith("HL-0344: highlander.token-floor " + (Long.MAX_VALUE - 1));
            listener.notify(new Notice.Wake(KEY.namespace(), 1)); // a marker: everything sent before it came first

            List<Notice> heard = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                listener.awaitNotices(50).forEach(notice -> heard.add(notice.notice()));
                return heard.contains(new Notice.Wake(KEY.namespace(), 1));
            });
            assertThat(heard).as("no acquired notice with a token nobody handed out")
                    .containsExactly(new Notice.Wake(KEY.namespace(), 1));
        } finally {
            listener.release();
            taker.abandon(); // as the node loop does: the session that took the lock ends, and the lock with it
        }
    }

    @Test
    void theServerEndsASilentSessionAfterTheLeaseAndSoFreesTheLock() throws SQLException {
        Duration lease = Duration.ofMillis(1500);
        NodeSessionStatements silent = NodeSessionStatements.open(connections, "ticker", "a", lease, INTERVAL, false);
        NodeSessionStatements other = NodeSessionStatements.open(connections, "ticker", "b", LEASE, INTERVAL, false);
        try {
            long sentAt = System.nanoTime();
            assertThat(Live.take(silent, KEY)).isTrue();

            await().atMost(Duration.ofSeconds(10)).until(() -> Live.take(other, KEY));

            assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isGreaterThanOrEqualTo(lease);
            assertThatThrownBy(() -> silent.heartbeat(Duration.ofSeconds(1))).isInstanceOf(SQLException.class);
        } finally {
            silent.abandon();
            other.release();
        }
    }

    @Test
    void aBackendThatChangesBetweenStatementsIsATransactionPooler() throws SQLException {
        pool = OneConnectionPool.over(dataSource, 2);
        assertThatThrownBy(() -> LockSession.open(pooled(pool), "ticker", "a", LEASE, INTERVAL))
                .isInstanceOf(PoolerDetectedException.class)
                .hasMessageStartingWith("HL-0323: the lock connection of singleton 'ticker' moved from PostgreSQL backend ")
                .hasMessageContaining("a pooler in transaction mode (e.g. pgbouncer) sits in between");
        assertThat(pool.aborts()).as("the connection is destroyed, not handed back").isEqualTo(1);
        assertThat(pool.outstanding()).as("and its slot given back").isZero();
    }

    @Test
    void aWatchersWaitCanBeCancelledFromAnotherThread() throws Exception {
        NodeSessionStatements node = NodeSessionStatements.open(connections, "ticker", "a", LEASE, INTERVAL, false);
        WatcherSessionStatements watcher = WatcherSessionStatements.open(connections, "ticker", "b",
                Duration.ofSeconds(30));
        try {
            assertThat(node.takeLiveness(KEY.namespace(), 42)).isTrue();
            Thread canceller = new Thread(() -> {
                await().until(() -> waitingSessions() == 1);
                watcher.cancel();
            });
            canceller.start();

            assertThatThrownBy(() -> watcher.awaitGone(new Notice.Gone(KEY.namespace(), 42)))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("57014");
            canceller.join();
        } finally {
            node.release();
            watcher.release();
        }
    }

    private ConnectionSource pooled(OneConnectionPool pool) {
        return new ConnectionSource() {
            @Override
            public Connection connect() {
                return pool.borrow();
            }

            @Override
            public String description() {
                return "pool";
            }
        };
    }

    private int waitingSessions() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    private static int advisoryLocksOf(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    private static String setting(Connection connection, String name) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT current_setting(?)")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return Optional.ofNullable(row.getString(1)).orElse("");
            }
        }
    }
}
