package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A statement that outlives its bound is cancelled before its connection is abandoned. The case that needs it: a
 * commit waiting for a synchronous standby that is down ({@code SyncRep}) does not notice that its client went
 * away, and keeps every lock of the session until a cancel request ends the wait (PG-SEMANTICS §10). A private
 * server of this test's own requires a synchronous standby and has none; the statement takes an advisory lock and
 * commits with {@code synchronous_commit = on}, as a statement of ours would if the session's {@code local} were
 * ever lost.
 */
class TimedOutStatementTest {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Takes a lock, and commits a transaction that writes WAL and waits for a standby. */
    private static final String WAITS_FOR_A_STANDBY = "SELECT pg_advisory_lock(7, 7),"
            + " set_config('synchronous_commit', 'on', true), pg_logical_emit_message(true, 'highlander-test', '')";

    private TestPostgres postgres;

    @BeforeEach
    void serverWithAMissingSynchronousStandby() throws SQLException {
        postgres = TestPostgres.embedded().start();
        try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
            // ALTER SYSTEM takes no bind parameter; the value is this test's constant
            statement.execute("ALTER SYSTEM SET synchronous_standby_names = '*'");
            statement.execute("SELECT pg_reload_conf()");
        }
        await("the setting in force").atMost(PATIENCE).until(() -> !"".equals(setting("synchronous_standby_names")));
    }

    @AfterEach
    void stopServer() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aStatementPastItsBoundIsCancelledSoThatItsBackendLetsTheLocksGo() throws SQLException {
        LockSession session = LockSession.open(DataSourceLocator.of(postgres.dataSource(), "sync"), "ticker", "a",
                LEASE, Duration.ofSeconds(1));
        int backend = session.server().backendPid();

        assertThatThrownBy(() -> session.run(WAITS_FOR_A_STANDBY, Duration.ofMillis(500), statement -> { },
                rows -> null)).isInstanceOf(SQLException.class);
        session.abandon(); // what the node does with a session whose statement failed

        await("the backend lets its lock go").atMost(PATIENCE).until(() -> advisoryLocksOf(backend) == 0);
        assertThat(waitingForAStandby(backend)).as("the backend still waits in SyncRep").isFalse();
    }

    private long advisoryLocksOf(int backend) throws SQLException {
        try (Connection admin = postgres.connect("postgres"); PreparedStatement query = admin.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = ?")) {
            query.setInt(1, backend);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private boolean waitingForAStandby(int backend) throws SQLException {
        try (Connection admin = postgres.connect("postgres"); PreparedStatement query = admin.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND wait_event = 'SyncRep'")) {
            query.setInt(1, backend);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1) > 0;
            }
        }
    }

    private String setting(String name) throws SQLException {
        try (Connection admin = postgres.connect("postgres");
             PreparedStatement query = admin.prepareStatement("SELECT current_setting(?)")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }
}
