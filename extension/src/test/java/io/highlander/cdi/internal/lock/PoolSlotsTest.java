package io.highlander.cdi.internal.lock;

import static io.highlander.cdi.internal.lock.PoolFixture.advisoryLocksOf;
import static io.highlander.cdi.internal.lock.PoolFixture.setting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.OneConnectionPool;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A lock session gives its pool slot back on every path, and never a connection in a state of ours. */
class PoolSlotsTest {

    private static final LockKey KEY = LockKey.of(7, "ticker");
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration INTERVAL = Duration.ofMillis(200);

    private final PoolFixture fixture = new PoolFixture();
    private OneConnectionPool onePool;

    @AfterEach
    void cleanUp() {
        if (onePool != null) {
            onePool.shutdown();
        }
        fixture.close();
    }

    @Test
    void abandonedSessionsGiveTheirPoolSlotsBack() throws SQLException {
        HikariDataSource pool = fixture.pool(2, null, config -> {
            config.setConnectionTimeout(250);
            return config;
        });
        for (int i = 0; i < 2; i++) {
            LockSession session = LockSession.open(DataSourceLocator.of(pool, "hikari"), "ticker", "a", LEASE, INTERVAL);
            assertThat(Live.take(Live.node(session), KEY)).isTrue();
            session.abandon();
        }

        try (Connection third = pool.getConnection()) {
            assertThat(advisoryLocksOf(third)).isZero();
        }
        assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
    }

    @Test
    void whenAbortIsUnsupportedAbandonCleansTheConnectionBeforeItGoesBack() throws SQLException {
        HikariDataSource pool = fixture.pool(1);
        String roleTimeout;
        try (Connection before = pool.getConnection()) {
            roleTimeout = setting(before, "idle_session_timeout");
        }
        LockSession session = LockSession.open(withoutAbort(pool, false), "ticker", "a", LEASE, INTERVAL);
        assertThat(Live.take(Live.node(session), KEY)).isTrue();

        session.abandon();

        try (Connection again = pool.getConnection()) {
            assertThat(advisoryLocksOf(again)).as("no lock on the connection back in the pool").isZero();
            assertThat(setting(again, "idle_session_timeout")).isEqualTo(roleTimeout);
        }
    }

    @Test
    void whenAbortIsUnsupportedAbandonAbortsTheDriversConnectionUnderneath() throws SQLException {
        HikariDataSource pool = fixture.pool(1);
        LockSession session = LockSession.open(withoutAbort(pool, true), "ticker", "a", LEASE, INTERVAL);
        assertThat(Live.take(Live.node(session), KEY)).isTrue();
        int backend = session.server().backendPid();

        session.abandon();

        try (Connection again = pool.getConnection()) {
            assertThat(advisoryLocksOf(again)).isZero();
            assertThat(LockSession.inspect(again, "again").backendPid()).as("a new physical connection").isNotEqualTo(backend);
        }
    }

    @Test
    void whenAbortIsUnsupportedAndAStatementIsInFlightAbandonLeavesTheHandleOpenAndSaysSo() throws Exception {
        HikariDataSource pool = fixture.pool(1);
        try (LockSession holder = LockSession.open(DataSourceLocator.of(fixture.pool(1), "holder"), "ticker", "a", LEASE,
                INTERVAL);
             LogRecorder log = LogRecorder.of("io.highlander")) {
            assertThat(Live.node(holder).takeLiveness(KEY.namespace(), 42)).isTrue();
            LockSession waiter = LockSession.open(withoutAbort(pool, false), "ticker", "b", LEASE, Duration.ofSeconds(2));
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return new WatcherSessionStatements(waiter).awaitGone(new Notice.Gone(KEY.namespace(), 42));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().until(() -> waitingSessions() == 1);

            waiter.abandon(); // a statement in flight: cancelled first, then the end, on a thread of their own

            await().untilAsserted(() -> assertThat(log.messages()).containsExactly("HL-0314: the lock connection of singleton 'ticker' could neither"
                    + " be aborted (its pool does not support Connection.abort) nor cleaned up, so it is left open rather"
                    + " than handed back to the pool holding the lock; PostgreSQL ends it after highlander.lease, and"
                    + " the pool slot stays lost. Use a pool whose connections support abort."));
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).as("the wait was cancelled")
                    .hasRootCauseInstanceOf(SQLException.class);
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("the handle was not given back").isEqualTo(1);
        }
    }

    private int waitingSessions() throws SQLException {
        try (Connection connection = io.highlander.cdi.testing.TestPostgres.shared().dataSource(fixture.url()).getConnection();
             java.sql.PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
             java.sql.ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    @Test
    void releaseRestoresTheNetworkTimeoutForPoolsThatDoNot() throws SQLException {
        onePool = OneConnectionPool.over(fixture.pool(1), 1);
        int original = onePool.physical().getNetworkTimeout();
        LockSession session = LockSession.open(borrowing(onePool), "ticker", "a", LEASE, INTERVAL);
        assertThat(Live.take(Live.node(session), KEY)).isTrue();

        session.release();

        assertThat(onePool.outstanding()).isZero();
        assertThat(onePool.aborts()).isZero();
        assertThat(onePool.physical().getNetworkTimeout()).isEqualTo(original);
    }

    @Test
    void anAbandonedSessionGivesTheSlotOfAPoolThatOnlyDestroysOnAbortBack() throws SQLException {
        onePool = OneConnectionPool.over(fixture.pool(2), 1);
        LockSession session = LockSession.open(borrowing(onePool), "ticker", "a", LEASE, INTERVAL);
        assertThat(Live.take(Live.node(session), KEY)).isTrue();

        session.abandon();

        assertThat(onePool.aborts()).isEqualTo(1);
        assertThat(onePool.outstanding()).isZero();
        assertThat(advisoryLocksOf(onePool.physical())).isZero();
    }

    static ConnectionSource borrowing(OneConnectionPool pool) {
        return new ConnectionSource() {
            @Override
            public Connection connect() {
                return pool.borrow();
            }

            @Override
            public String description() {
                return "one-connection pool";
            }
        };
    }

    /**
     * A pool whose handles do not support {@code abort}, as some do; {@code unwrappable} says whether the handle
     * gives the driver's connection underneath away.
     */
    private static ConnectionSource withoutAbort(DataSource pool, boolean unwrappable) {
        return new ConnectionSource() {
            @Override
            public Connection connect() throws SQLException {
                Connection handle = pool.getConnection();
                return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            switch (method.getName()) {
                                case "abort":
                                    throw new SQLFeatureNotSupportedException("abort");
                                case "unwrap":
                                    if (!unwrappable) {
                                        throw new SQLException("not a wrapper for " + args[0]);
                                    }
                                    break;
                                case "isWrapperFor":
                                    if (!unwrappable) {
                                        return false;
                                    }
                                    break;
                                default:
                                    break;
                            }
                            try {
                                return method.invoke(handle, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }

            @Override
            public String description() {
                return "pool without abort";
            }
        };
    }
}
