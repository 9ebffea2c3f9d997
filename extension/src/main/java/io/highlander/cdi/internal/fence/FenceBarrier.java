package io.highlander.cdi.internal.fence;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.lock.LockKey;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What a new term waits for before it begins: the companion lock ({@link FenceKey}) taken exclusively once and let
 * go at once, which the server grants only when every transaction fenced by an earlier term has ended. Runs on the
 * singleton's lifecycle thread, never on the node loop, on a connection of its own taken for the wait; each wait is
 * bounded by {@code lock_timeout} and repeated while the term still runs. Why: docs/design/fencing.md §4.
 */
public final class FenceBarrier {

    private static final System.Logger LOG = System.getLogger(FenceBarrier.class.getName());
    static final String BOUND = "SELECT set_config('lock_timeout', ?, true)";
    static final String TAKE = "SELECT pg_advisory_xact_lock(?, ?)::text";
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final ConnectionSource connections;
    private final Duration tryBound;

    /**
     * @param connections where the barrier's connection comes from
     * @param tryBound    how long one wait may take before it is repeated (and the term asked if it still runs)
     */
    public FenceBarrier(ConnectionSource connections, Duration tryBound) {
        this.connections = connections;
        this.tryBound = tryBound;
    }

    /**
     * Blocks until the barrier is passed or the term no longer wants it.
     *
     * @param singleton  the singleton's lock, just taken by the term
     * @param node       this node, for messages
     * @param stillWants whether the term still runs (asked between waits)
     * @return whether it passed (false: the term ended first, or the thread was interrupted)
     */
    public boolean pass(LockKey singleton, String node, BooleanSupplier stillWants) {
        LockKey companion = FenceKey.of(singleton);
        String problem = null;
        boolean waitLogged = false;
        while (stillWants.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            try {
                if (tryOnce(companion)) {
                    return true;
                }
                if (!waitLogged) {
                    waitLogged = true; // once per term: an old leader's transaction outlives its term
                    LOG.log(Level.INFO, Messages.fenceBarrierWaits(node, tryBound));
                }
            } catch (SQLException e) {
                String now = e.getSQLState() + " " + e.getMessage();
                if (!now.equals(problem)) {
                    problem = now;
                    LOG.log(Level.WARNING, Messages.fenceBarrierFailed(node, now));
                }
                LockSupport.parkNanos(tryBound.toNanos()); // the database is unreachable: no busy retry
            }
        }
        return false;
    }

    /** One bounded wait for the companion lock; the commit lets it go at once. */
    private boolean tryOnce(LockKey companion) throws SQLException {
        try (Connection connection = connections.connect()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement bound = connection.prepareStatement(BOUND)) {
                    bound.setString(1, Long.toString(Math.max(1, tryBound.toMillis())));
                    bound.execute();
                }
                try (PreparedStatement take = connection.prepareStatement(TAKE)) {
                    take.setInt(1, companion.namespace());
                    take.setInt(2, companion.key());
                    take.execute();
                }
                connection.commit();
                return true;
            } catch (SQLException e) {
                connection.rollback();
                if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }
}
