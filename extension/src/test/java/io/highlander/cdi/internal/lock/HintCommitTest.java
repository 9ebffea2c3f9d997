package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.internal.fence.FenceKey;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which {@code synchronous_commit} each statement's commit runs under, as the server has it at the end of the
 * statement, on a session set up as a node's ({@code local}): a statement that only carries a hint commits without
 * waiting for a flush (rule N5 of docs/design/election.md), the takeover, whose transaction id is a fencing token,
 * waits for the local flush. Each statement runs as the library sends it, inside a materialized CTE whose outer
 * select reads the setting after the statement's row was made, in the same transaction, before its commit.
 */
class HintCommitTest {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final int NAMESPACE = 7;

    private LockSession session;

    @BeforeEach
    void open() throws SQLException {
        TestPostgres postgres = TestPostgres.shared();
        ConnectionSource connections = DataSourceLocator.of(postgres.dataSource(postgres.newDatabase()), "test");
        session = LockSession.open(connections, "hints", "a", LEASE, INTERVAL);
    }

    @AfterEach
    void close() {
        session.release();
    }

    @Test
    void theSessionCommitsWithALocalFlushOutsideAHint() throws SQLException {
        assertThat(commitSetting("SELECT 1", statement -> { })).isEqualTo("local");
    }

    @Test
    void aNoticeOnItsOwnCommitsWithoutWaitingForAFlush() throws SQLException {
        assertThat(commitSetting(Sql.NOTIFY, statement -> statement.setString(1, "hl1 joined 7 1"))).isEqualTo("off");
        assertThat(sessionSetting()).as("transaction-local: the session's setting is back").isEqualTo("local");
    }

    @Test
    void anUnlockWithItsReleasedNoticeCommitsWithoutWaitingForAFlush() throws SQLException {
        assertThat(commitSetting(Sql.UNLOCK, statement -> {
            statement.setInt(1, NAMESPACE);
            statement.setInt(2, 1);
            statement.setString(3, "hl1 released 7 1 5 clean");
        })).isEqualTo("off");
        assertThat(sessionSetting()).isEqualTo("local");
    }

    @Test
    void aWatchersGrantedWaitWithItsGoneNoticeCommitsWithoutWaitingForAFlush() throws SQLException {
        assertThat(commitSetting(Sql.AWAIT_GONE, statement -> {
            statement.setLong(1, 4242L); // nobody holds it: granted at once
            statement.setLong(2, 4242L);
            statement.setString(3, "hl1 gone 7 4242");
        })).isEqualTo("off");
        assertThat(sessionSetting()).isEqualTo("local");
    }

    @Test
    void aTakeoverThatTookALockStillWaitsForTheLocalFlushOfItsToken() throws SQLException {
        assertThat(commitSetting(Sql.TAKE_OVER, statement -> {
            statement.setArray(1, session.connection().createArrayOf("int4", new Object[] {1}));
            statement.setLong(2, 0);
            statement.setLong(3, NAMESPACE);
            statement.setInt(4, NAMESPACE);
            statement.setInt(5, FenceKey.namespaceOf(NAMESPACE));
            statement.setBoolean(6, false);
            statement.setString(7, Notice.Acquired.prefix(NAMESPACE));
        })).isEqualTo("local");
    }

    /** The statement, run once; the setting its transaction has after it, which its commit then reads. */
    private String commitSetting(String sql, LockSession.Binder binder) throws SQLException {
        Connection connection = session.connection();
        try (PreparedStatement statement = connection.prepareStatement(
                "WITH s AS MATERIALIZED (" + sql + ") SELECT current_setting('synchronous_commit') FROM s")) {
            binder.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        }
    }

    private String sessionSetting() throws SQLException {
        try (PreparedStatement statement = session.connection().prepareStatement(
                "SELECT current_setting('synchronous_commit')"); ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getString(1);
        }
    }
}
