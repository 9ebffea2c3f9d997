package io.highlander.cdi.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One PostgreSQL server of a {@link ReplicatedPostgres}: a data directory, a loopback port, and its postmaster,
 * which every stop signals by PID (read from {@code postmaster.pid}) and waits out.
 */
final class PgServer {

    /** How a server is stopped: the postmaster signal of {@code pg_ctl stop -m fast} and {@code -m immediate}. */
    enum Stop {
        /** SIGINT: ends every session, checkpoints, exits. */
        FAST("INT"),
        /** SIGQUIT: every process exits at once, no checkpoint: a crash, recovered from WAL at the next start. */
        IMMEDIATE("QUIT");

        private final String signal;

        Stop(String signal) {
            this.signal = signal;
        }
    }

    private final ReplicatedPostgres owner;
    private final String name;
    private final Path data;
    private final int port;
    private long pid = -1;

    PgServer(ReplicatedPostgres owner, String name, Path data, int port) {
        this.owner = owner;
        this.name = name;
        this.data = data;
        this.port = port;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    Path data() {
        return data;
    }

    /** @return the postmaster's PID, or -1 when stopped */
    long pid() {
        return pid;
    }

    /** Starts the postmaster and waits until it accepts connections (a standby: until it is consistent). */
    PgServer start() {
        try {
            owner.runAsPostgres(owner.binaries().program("pg_ctl"), "-D", data.toString(), "-w", "-t", "60",
                    "-l", log().toString(), "-o", "-p " + port + " -k " + owner.sockets()
                            + " -c listen_addresses=127.0.0.1", "start");
        } catch (IllegalStateException e) {
            throw new IllegalStateException(name + " did not start; its log ends:\n" + logTail(), e);
        }
        try {
            pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new IllegalStateException(name + ": no postmaster.pid after start", e);
        }
        return this;
    }

    /** Stops the postmaster by PID and waits until it and its port are gone. */
    void stop(Stop how) {
        if (pid < 0) {
            return;
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        if (postmaster.isPresent()) {
            owner.run(List.of("kill", "-s", how.signal, Long.toString(pid)));
            try {
                postmaster.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(name + ": postmaster " + pid + " did not exit after SIG" + how.signal, e);
            }
        }
        pid = -1;
    }

    /** Promotes a standby and waits until it accepts writes. */
    void promote() {
        owner.runAsPostgres(owner.binaries().program("pg_ctl"), "-D", data.toString(), "-w", "-t", "60", "promote");
    }

    /**
     * Restarts this stopped server as a streaming standby of {@code primary} (what an HA manager does with a
     * demoted primary), following its new timeline.
     */
    void followAsStandby(PgServer primary) {
        configure("primary_conninfo = 'host=127.0.0.1 port=" + primary.port() + " user=postgres'",
                "recovery_target_timeline = 'latest'");
        owner.runAsPostgres("touch", data.resolve("standby.signal").toString());
        start();
    }

    /** Appends settings to {@code postgresql.auto.conf}; they take effect at the next start. */
    void configure(String... lines) {
        try {
            Path auto = data.resolve("postgresql.auto.conf");
            List<String> all = new ArrayList<>(Files.readAllLines(auto));
            all.addAll(List.of(lines));
            Files.write(auto, all);
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot configure", e);
        }
    }

    /** @return a connection of the superuser to the {@code postgres} database */
    Connection superuser() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres"
                + "&connectTimeout=5&socketTimeout=60");
    }

    /** @return a connection of the plain application role to its database */
    Connection application() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + ReplicatedPostgres.DATABASE
                + "?user=" + ReplicatedPostgres.ROLE + "&connectTimeout=5&socketTimeout=60");
    }

    /** Changes a setting with {@code ALTER SYSTEM} and reloads the configuration. */
    void alterSystem(String name, String value) throws SQLException {
        try (Connection c = superuser(); PreparedStatement set = c.prepareStatement("SELECT set_config('synchronous_commit', 'local', false)")) {
            set.executeQuery().close();
            // ALTER SYSTEM takes no bind parameters; the names and values are the tests' own constants
            try (var statement = c.createStatement()) {
                statement.execute("ALTER SYSTEM SET " + name + " = '" + value + "'");
                statement.execute("SELECT pg_reload_conf()");
            }
        }
    }

    /** @return the first 8 hex digits of the current WAL file's name, as a number: the server's timeline */
    long timeline() throws SQLException {
        return queryLong("SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint");
    }

    /** @return the current WAL position, as text */
    String walPosition() throws SQLException {
        try (Connection c = superuser(); PreparedStatement q = c.prepareStatement("SELECT pg_current_wal_lsn()::text");
             ResultSet row = q.executeQuery()) {
            row.next();
            return row.getString(1);
        }
    }

    /** Uses up {@code count} transaction ids, each in its own committed transaction, as the application role. */
    void burnTransactionIds(int count) throws SQLException {
        try (Connection c = application(); PreparedStatement q = c.prepareStatement("SELECT pg_current_xact_id()")) {
            for (int i = 0; i < count; i++) {
                q.executeQuery().close();
            }
        }
    }

    /** @return the result of a one-number query, as the superuser */
    long queryLong(String sql) throws SQLException {
        try (Connection c = superuser(); PreparedStatement q = c.prepareStatement(sql); ResultSet row = q.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /** @return the server's log so far, for a failed test's message */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Path log() {
        return owner.root().resolve(name + ".log");
    }

    @Override
    public String toString() {
        return name + "@127.0.0.1:" + port;
    }
}
