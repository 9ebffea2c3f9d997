package io.highlander.cdi.internal.datasource;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Warns when Highlander's lock connections may starve the application: each node holds one connection of
 * the DataSource per singleton for good, so a pool of that size or smaller has nothing left. Once the
 * lock sessions are open, it asks for one more connection; if none comes within the wait, it logs
 * {@code HL-0412}. A warning, not an error: the pool may just be busy.
 */
public final class PoolStarvationProbe {

    private static final System.Logger LOG = System.getLogger(PoolStarvationProbe.class.getName());

    private PoolStarvationProbe() {
    }

    /**
     * Starts the probe on a thread of its own.
     *
     * @param connections the DataSource
     * @param held        how many connections Highlander holds
     * @param sessionsOpen whether all lock sessions are open yet
     * @param wait        how long to wait for the extra connection
     * @param threads     where the thread comes from
     */
    public static void start(ConnectionSource connections, int held, BooleanSupplier sessionsOpen, Duration wait,
                             LifecycleThreads threads) {
        if (!connections.pooled() || held == 0) {
            return;
        }
        threads.newThread("highlander-pool-probe", () -> {
            long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!sessionsOpen.getAsBoolean() && System.nanoTime() - giveUp < 0) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            CompletableFuture<Connection> extra = CompletableFuture.supplyAsync(() -> {
                try {
                    return connections.connect();
                } catch (SQLException e) {
                    return null;
                }
            }, task -> threads.newThread("highlander-pool-probe-borrow", task).start());
            try {
                close(extra.get(wait.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                LOG.log(System.Logger.Level.WARNING, Messages.poolMayStarve(connections.description(), held, wait));
                extra.thenAccept(PoolStarvationProbe::close);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // the pool answered, with an error: not starvation
            }
        }).start();
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // returned to the pool as well as it can be
            }
        }
    }
}
