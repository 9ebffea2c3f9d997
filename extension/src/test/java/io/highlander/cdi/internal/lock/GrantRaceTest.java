package io.highlander.cdi.internal.lock;

import static io.highlander.cdi.internal.lock.PoolFixture.advisoryLocksOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A connection never goes back to its pool holding the advisory lock, not even when the wait for it ends in
 * an error at the instant PostgreSQL grants it: the server then keeps the grant and still raises the error
 * (55P03 for {@code lock_timeout}, 57014 for a cancel). The race is made deterministic by stopping the
 * waiting backend (SIGSTOP) while the holder unlocks and the timeout or cancel arrives, then letting it go on
 * (SIGCONT). The waiter's connections come from HikariCP with one connection, so that the connection borrowed
 * after a release is the one the session used.
 */
class GrantRaceTest {

    private static final LockKey KEY = LockKey.of(7, "ticker");
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final long SIGINT_BIT = 1L << (2 - 1);
    private static final long SIGALRM_BIT = 1L << (14 - 1);

    private final PoolFixture fixture = new PoolFixture();

    @AfterEach
    void cleanUp() {
        fixture.close();
    }

    @Test
    void releaseLetsGoOfEveryAdvisoryLockOfTheSession() throws SQLException {
        HikariDataSource pool = fixture.pool(1);
        NodeSessionStatements session = Live.node(LockSession.open(DataSourceLocator.of(pool, "pool"), "ticker", "a",
                LEASE, Duration.ofSeconds(1)));
        assertThat(session.takeLiveness(KEY.namespace(), 42)).isTrue();
        assertThat(Live.take(session, KEY)).isTrue();

        session.release();

        try (Connection again = pool.getConnection()) {
            assertThat(advisoryLocksOf(again)).isZero();
        }
    }

    @Test
    void aWatcherWhoseWaitTimesOutAtTheInstantOfTheGrantStillTellsEveryNodeTheSessionIsGone() throws Exception {
        assertGoneIsToldWhenTheWaitEndsAtTheGrant(false);
    }

    @Test
    void aWatcherWhoseWaitIsCancelledAtTheInstantOfTheGrantStillTellsEveryNodeTheSessionIsGone() throws Exception {
        assertGoneIsToldWhenTheWaitEndsAtTheGrant(true);
    }

    /**
     * A node session holds its liveness lock; a watcher waits for it; the watcher's backend is stopped while the
     * node session ends and the wait is granted, and the wait's end (its lock_timeout, or a cancel: a wake or a
     * retarget of the watcher) arrives before it may go on: the grant sticks, the statement's notice is rolled back.
     */
    private void assertGoneIsToldWhenTheWaitEndsAtTheGrant(boolean cancel) throws Exception {
        requireLocalServer();
        HikariDataSource pool = fixture.pool(1);
        int namespace = 7;
        int liveness = 12345;
        try (Connection listener = TestPostgres.shared().dataSource(fixture.url()).getConnection()) {
            try (PreparedStatement listen = listener.prepareStatement("LISTEN " + LockSession.CHANNEL)) {
                listen.execute();
            }
            NodeSessionStatements node = Live.node(LockSession.open(DataSourceLocator.of(fixture.pool(1), "node"),
                    "ticker", "a", LEASE, Duration.ofSeconds(1)));
            assertThat(node.takeLiveness(namespace, liveness)).isTrue();
            WatcherSessionStatements watcher = new WatcherSessionStatements(LockSession.open(
                    DataSourceLocator.of(pool, "watcher"), "ticker", "b", LEASE,
                    cancel ? Duration.ofSeconds(60) : Duration.ofSeconds(1)));
            int backend = watcher.session().server().backendPid();
            Notice.Gone gone = new Notice.Gone(namespace, liveness);
            CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    return "gone " + watcher.awaitGone(gone);
                } catch (SQLException e) {
                    return e.getSQLState();
                }
            });
            await().until(() -> lockOf(backend).equals("waiting"));
            signal("STOP", backend);
            try {
                node.release();
                await().until(() -> lockOf(backend).equals("granted"));
                if (cancel) {
                    watcher.cancel();
                }
                long bit = cancel ? SIGINT_BIT : SIGALRM_BIT;
                await().atMost(Duration.ofSeconds(10)).until(() -> (pendingSignals(backend) & bit) != 0);
            } finally {
                signal("CONT", backend);
            }

            assertThat(outcome.get(10, TimeUnit.SECONDS)).as("the node's session is gone").isEqualTo("gone true");
            List<String> heard = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                org.postgresql.PGNotification[] got = listener.unwrap(org.postgresql.PGConnection.class)
                        .getNotifications(100);
                for (org.postgresql.PGNotification notification : got == null
                        ? new org.postgresql.PGNotification[0] : got) {
                    heard.add(notification.getParameter());
                }
                return heard.contains(gone.payload());
            });
            watcher.release();
        }
        try (Connection again = pool.getConnection()) {
            assertThat(advisoryLocksOf(again)).as("advisory locks on the connection back in the pool").isZero();
        }
    }

    private static void requireLocalServer() {
        Assumptions.assumeTrue(TestPostgres.shared().kind().equals("embedded"),
                "needs the server's backends as local processes this test may signal");
    }

    /** @return "granted", "waiting" or "none": the backend's advisory lock, as pg_locks shows it */
    private String lockOf(int backend) throws SQLException {
        try (Connection connection = TestPostgres.shared().dataSource(fixture.url()).getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT bool_or(granted) FROM pg_locks WHERE locktype = 'advisory' AND pid = ?")) {
            query.setInt(1, backend);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                Boolean granted = (Boolean) row.getObject(1);
                return granted == null ? "none" : granted ? "granted" : "waiting";
            }
        }
    }

    private static void signal(String signal, int pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s %d", signal, pid).isTrue();
    }

    /** @return the signals pending for the process (thread and process-wide), as a bit mask */
    private static long pendingSignals(int pid) throws Exception {
        long pending = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith("SigPnd:") || line.startsWith("ShdPnd:")) {
                pending |= Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        }
        return pending;
    }
}
