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
import java.util.function.IntSupplier;

/**
 * Warns when Highlander's connections may starve the application: each node holds at most two connections of
 * the DataSource for good (its node session and its watcher), whatever the number of singletons, so a pool of
 * that size or smaller has nothing left. Once the node session is open, it asks for one more connection; if none
 * comes within the wait, it logs {@code HL-0412} with the number held then. A warning, not an error: the pool may
 * just be busy.
 */
public final class PoolStarvationProbe {

    private static final System.Logger LOG = System.getLogger(PoolStarvationProbe.class.getName());

    private PoolStarvationProbe() {
    }

    /**
     * Starts the probe on a thread of its own.
     *
     * @param connections the DataSource
     * @param held        how many connections Highlander holds now
     * @param sessionsOpen whether the node session is open yet
     * @param wait        how long to wait for the extra connection
     * @param threads     where the thread comes from
     */
    public static void start(ConnectionSource connections, IntSupplier held, BooleanSupplier sessionsOpen,
                             Duration wait, LifecycleThreads threads) {
        if (!connections.pooled()) {
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
                LOG.log(System.Logger.Level.WARNING, Messages.poolMayStarve(connections.description(),
                        held.getAsInt(), wait));
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
