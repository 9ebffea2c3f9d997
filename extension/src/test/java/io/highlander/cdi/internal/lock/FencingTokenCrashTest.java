package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.testing.PostgresControl;
import io.highlander.cdi.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The fencing token survives a crash of PostgreSQL: after {@code pg_ctl stop -m immediate} (SIGQUIT to the
 * postmaster) and a restart on the same data directory, no term gets a token that an earlier term already
 * had. A private server of this test's own, started as zonky starts it: {@code fsync=off} and
 * {@code synchronous_commit=off}, the settings under which an unflushed commit record is lost.
 */
class FencingTokenCrashTest {

    private static final LockKey KEY = LockKey.of(7, "ticker");
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final int ROUNDS = 5;
    private static final String ROLE = "hl_token_user";

    @TempDir
    Path directory;

    private TestPostgres postgres;

    @AfterEach
    void stopServer() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aTokenIsNeverReissuedAfterAnImmediateCrash() throws Exception {
        postgres = TestPostgres.embedded().dataDirectory(directory.resolve("data")).start();
        PostgresControl server = PostgresControl.of(postgres);
        try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
            statement.execute("CREATE ROLE " + ROLE + " LOGIN"); // a plain role: no superuser, no replication
            statement.execute("CHECKPOINT"); // or the role itself could be lost in the first crash
        }
        List<Long> tokens = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long token = newTerm();
            assertThat(token).as("term %d's token after %s", round, tokens).isGreaterThan(
                    tokens.stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE));
            tokens.add(token);
            server.stop(PostgresControl.Shutdown.IMMEDIATE); // SIGQUIT: no checkpoint, no WAL flush
            server.start(); // same data directory, port and settings
        }
    }

    /** A lock session of the plain role acquires the lock and reads its token; then the node just stops. */
    private long newTerm() throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(postgres.url());
        dataSource.setUser(ROLE); // after the URL, whose user it replaces
        NodeSessionStatements session = NodeSessionStatements.open(DataSourceLocator.of(dataSource, "crash"), "ticker",
                "a", LEASE, Duration.ofSeconds(1), false);
        try {
            NodeStatements.Grab grab = Live.grab(session, KEY); // the takeover statement's token, as in production
            assertThat(grab.keys()).containsExactly(KEY.key());
            return grab.token();
        } finally {
            session.abandon();
        }
    }
}
