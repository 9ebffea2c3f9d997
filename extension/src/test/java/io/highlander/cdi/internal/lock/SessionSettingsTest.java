package io.highlander.cdi.internal.lock;

import static io.highlander.cdi.internal.lock.PoolFixture.setting;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lock session pins the settings its lease and its waits depend on, whatever the role, database or server
 * says, and gives the pool back the role's own values. Through HikariCP with one connection, so that the
 * connection borrowed after a release is the one the session used.
 */
class SessionSettingsTest {

    private static final LockKey KEY = LockKey.of(7, "ticker");
    private static final Duration LEASE = Duration.ofSeconds(10);

    private final PoolFixture fixture = new PoolFixture();

    @AfterEach
    void cleanUp() {
        fixture.close();
    }

    @Test
    void aRoleTcpUserTimeoutShorterThanTheLeaseIsRaisedToTheLeaseAndRestoredOnRelease() throws SQLException {
        String role = fixture.role("SET tcp_user_timeout = 100");
        HikariDataSource pool = fixture.pool(1, role, config -> config);
        PoolFixture.Recording source = new PoolFixture.Recording(pool);

        LockSession session = LockSession.open(source, "ticker", "a", LEASE, Duration.ofSeconds(1));
        assertThat(Live.take(Live.node(session), KEY)).isTrue();
        assertThat(Long.parseLong(setting(source.last(), "tcp_user_timeout")))
                .as("tcp_user_timeout on the lock session, in ms").isGreaterThanOrEqualTo(LEASE.toMillis());
        session.release();

        try (Connection again = pool.getConnection()) {
            assertThat(setting(again, "tcp_user_timeout")).as("the role's own value, back in the pool").isEqualTo("100");
        }
    }

    @Test
    void aListeningSessionsTcpUserTimeoutIsTwiceTheLease() throws SQLException {
        HikariDataSource pool = fixture.pool(1);
        PoolFixture.Recording source = new PoolFixture.Recording(pool);

        NodeSessionStatements session = Live.node(LockSession.open(source, "ticker", "a", LEASE, Duration.ofSeconds(1)));
        assertThat(session.listen()).isTrue();
        // unsolicited notices can stay unacknowledged from before the last acknowledged statement: see Lease
        assertThat(Long.parseLong(setting(source.last(), "tcp_user_timeout")))
                .as("tcp_user_timeout of a listening node session, in ms").isEqualTo(LEASE.multipliedBy(2).toMillis());
        session.release();
    }

    @Test
    void aRoleStatementTimeoutShorterThanTheStandbyIntervalEndsAWaitAsNotAcquiredNotAsAnError() throws SQLException {
        String role = fixture.role("SET statement_timeout = '100ms'");
        HikariDataSource pool = fixture.pool(1, role, config -> config);
        HikariDataSource holderPool = fixture.pool(1);
        try (LockSession holder = LockSession.open(DataSourceLocator.of(holderPool, "holder"), "ticker", "a", LEASE,
                Duration.ofSeconds(1))) {
            assertThat(Live.node(holder).takeLiveness(KEY.namespace(), 42)).isTrue();
            LockSession waiter = LockSession.open(DataSourceLocator.of(pool, "waiter"), "ticker", "b", LEASE,
                    Duration.ofMillis(500));

            assertThat(new WatcherSessionStatements(waiter).awaitGone(new Notice.Gone(KEY.namespace(), 42)))
                    .as("lock_timeout (500 ms) ends the wait, not statement_timeout").isFalse();

            waiter.release();
        }
        try (Connection again = pool.getConnection()) {
            assertThat(setting(again, "statement_timeout")).as("the role's own value, back in the pool").isEqualTo("100");
        }
    }
}
