package io.highlander.cdi.leaderonly;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.testing.History;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Long-running leader-only work that writes downstream with its term's fencing token: the write lands only if no
 * later term wrote before it ({@code WHERE ? >= token}).
 */
@ApplicationScoped
public class LongReport {

    /** The downstream table: one row, the token and node of the last write that was accepted. */
    public static final String TABLE = "CREATE TABLE IF NOT EXISTS report (id int PRIMARY KEY, token bigint NOT NULL,"
            + " node text NOT NULL); INSERT INTO report VALUES (1, 0, 'nobody') ON CONFLICT DO NOTHING";

    @Inject
    LeaderElector elector;
    @Inject
    @OfSingleton("report")
    Leadership leadership;
    @Inject
    History history;
    @Inject
    DataSource downstream;

    /**
     * Writes, waits for {@code halfway} (a long pause: the term's end interrupts the call, but a GC pause cannot be
     * cut short, so the wait goes on and only records the interrupt), then asks whether its term still holds and
     * writes again with the token it started with.
     *
     * @param halfway what the second half waits for
     */
    @LeaderOnly("report")
    public void run(CountDownLatch halfway) throws SQLException {
        long token = leadership.check();
        history.add(elector.nodeId(), "write:" + write(token), token);
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (halfway.getCount() > 0 && deadline - System.nanoTime() > 0) {
            try {
                halfway.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // restored below, once the "pause" is over
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            history.add(elector.nodeId(), "interrupted", token);
        }
        history.add(elector.nodeId(), "valid:" + leadership.isValid(), token);
        try {
            leadership.check();
            history.add(elector.nodeId(), "check:passed", token);
        } catch (NotLeaderException e) {
            history.add(elector.nodeId(), "check:refused", token);
        }
        history.add(elector.nodeId(), "write:" + write(token), token);
    }

    private int write(long token) throws SQLException {
        try (Connection connection = downstream.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE report SET token = ?, node = ? WHERE id = 1 AND ? >= token")) {
            update.setLong(1, token);
            update.setString(2, elector.nodeId());
            update.setLong(3, token);
            return update.executeUpdate();
        }
    }
}
