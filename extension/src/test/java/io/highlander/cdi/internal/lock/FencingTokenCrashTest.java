package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private EmbeddedPostgres postgres;

    @AfterEach
    void stopServer() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aTokenIsNeverReissuedAfterAnImmediateCrash() throws Exception {
        Path data = directory.resolve("data");
        postgres = start(data, 0);
        int port = postgres.getPort();
        try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE ROLE " + ROLE + " LOGIN"); // a plain role: no superuser, no replication
            statement.execute("CHECKPOINT"); // or the role itself could be lost in the first crash
        }
        List<Long> tokens = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long token = newTerm();
            assertThat(token).as("term %d's token after %s", round, tokens).isGreaterThan(
                    tokens.stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE));
            tokens.add(token);
            crash(data);
            postgres = start(data, port);
        }
    }

    /** A lock session of the plain role acquires the lock and reads its token; then the node just stops. */
    private long newTerm() throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(postgres.getJdbcUrl(ROLE, "postgres"));
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

    /** What {@code pg_ctl stop -m immediate} does: SIGQUIT to the postmaster, no checkpoint, no WAL flush. */
    private void crash(Path data) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -QUIT %d", pid).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        postgres.close(); // its pg_ctl stop finds no server; this only gives up zonky's lock on the directory
    }

    private static EmbeddedPostgres start(Path data, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false);
        if (port != 0) {
            builder.setPort(port);
        }
        return builder.start();
    }
}
