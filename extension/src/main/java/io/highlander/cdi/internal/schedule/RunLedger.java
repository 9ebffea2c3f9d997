package io.highlander.cdi.internal.schedule;

import io.highlander.cdi.Leadership;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The record of scheduled instants that ran, in the application's table {@code highlander_scheduled_run} (in the
 * elections' database, which the application creates with {@link #DDL}): one row per instant, written in a
 * transaction fenced by the term ({@link Leadership#fence}), so that it commits only while no later term has
 * begun. The only class of this package that speaks SQL.
 */
public final class RunLedger {

    /** The table, as the README gives it. The library never creates it. */
    public static final String DDL = "CREATE TABLE highlander_scheduled_run (election text NOT NULL,"
            + " job text NOT NULL, instant timestamptz NOT NULL, fencing_token bigint NOT NULL, node text NOT NULL,"
            + " recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (election, job, instant));";

    /**
     * Parameters: election, job, instant, fencing token, node. The conflict target names the key, so that a table
     * created without it fails ({@link #NO_MATCHING_KEY}) instead of letting an instant run twice.
     */
    static final String RECORD = "INSERT INTO highlander_scheduled_run (election, job, instant, fencing_token, node)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (election, job, instant) DO NOTHING";

    /** SQLState of a missing table. */
    public static final String UNDEFINED_TABLE = "42P01";
    /** SQLState of an {@code ON CONFLICT} whose columns have no unique index. */
    public static final String NO_MATCHING_KEY = "42P10";

    /** What became of a claim. */
    public enum Claim {
        /** the instant is now recorded (committed, or in the caller's JTA transaction): run it */
        RECORDED,
        /** a row was already there: some node ran it */
        ALREADY_RUN,
        /** the fence refused: the term is over at the database */
        REFUSED
    }

    private final ConnectionSource connections;

    /** @param connections the elections' connections (the fence needs their database) */
    public RunLedger(ConnectionSource connections) {
        this.connections = connections;
    }

    /** @return the database, for messages (no password) */
    public String database() {
        return connections.description();
    }

    /**
     * Records the instant in a transaction fenced by the term: its own, committed here (3 round trips: the fence
     * with the {@code BEGIN}, the insert, the {@code COMMIT}); or, when the caller runs in a JTA transaction
     * ({@link JtaTransaction}), that one (2 round trips; the row commits with the caller's writes).
     *
     * @param leadership the election's leadership (its current term fences the transaction)
     * @param node       this node, for the row
     * @param instant    the instant
     * @return what became of the claim
     * @throws SQLException if the database fails, or the table is missing ({@link #UNDEFINED_TABLE}) or has no key
     *                      ({@link #NO_MATCHING_KEY})
     */
    public Claim claim(Leadership leadership, String node, ScheduledInstant instant) throws SQLException {
        return claim(leadership, node, instant, JtaTransaction.active());
    }

    /**
     * @param leadership the election's leadership
     * @param node       this node, for the row
     * @param instant    the instant
     * @param inJta      whether the caller runs in a JTA transaction, which the record then joins
     * @return what became of the claim
     * @throws SQLException as {@link #claim(Leadership, String, ScheduledInstant)}
     */
    Claim claim(Leadership leadership, String node, ScheduledInstant instant, boolean inJta) throws SQLException {
        try (Connection connection = connections.connect()) {
            boolean own = !inJta; // outside JTA the transaction is ours to end, whatever autocommit the pool set
            boolean autoCommit = own && connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try {
                Claim claim = record(connection, leadership, node, instant);
                if (own) {
                    if (claim == Claim.RECORDED) {
                        connection.commit();
                    } else {
                        connection.rollback();
                    }
                }
                return claim;
            } catch (SQLException | RuntimeException e) {
                if (own) {
                    rollbackQuietly(connection, e);
                }
                throw e;
            } finally {
                if (autoCommit) {
                    connection.setAutoCommit(true); // a pool gets it back as it lent it
                }
            }
        }
    }

    private static Claim record(Connection connection, Leadership leadership, String node, ScheduledInstant instant)
            throws SQLException {
        long token;
        try {
            token = leadership.fence(connection);
        } catch (NotLeaderException e) {
            return Claim.REFUSED;
        }
        try (PreparedStatement insert = connection.prepareStatement(RECORD)) {
            insert.setString(1, leadership.singleton());
            insert.setString(2, instant.job());
            insert.setObject(3, OffsetDateTime.ofInstant(instant.instant(), ZoneOffset.UTC));
            insert.setLong(4, token);
            insert.setString(5, node);
            return insert.executeUpdate() == 1 ? Claim.RECORDED : Claim.ALREADY_RUN;
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e); // the connection is likely gone; the first failure is the one to report
        }
    }
}
