package io.highlander.cdi.leaderonly;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import jakarta.enterprise.concurrent.Asynchronous;
import jakarta.enterprise.concurrent.Schedule;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;

/**
 * A Jakarta Concurrency 3.1 scheduled asynchronous method guarded by {@code @LeaderOnly}. Weld SE has no
 * implementation of {@code @Asynchronous}, so the test calls the method as the server's scheduler would, once per
 * firing, and reads what it returns.
 */
@ApplicationScoped
public class CronSweeper {

    @Inject
    LeaderElector elector;

    /** @return {@code null} while the schedule goes on, as Concurrency 3.1 asks of such a method */
    @LeaderOnly("sweep")
    @Asynchronous(runAt = @Schedule(cron = "* * * * * *"))
    public CompletableFuture<String> sweepEverySecond() {
        return null;
    }

    /** @return the node, in a future; not scheduled */
    @LeaderOnly("sweep")
    @Asynchronous
    public CompletableFuture<String> sweepOnce() {
        return CompletableFuture.completedFuture(elector.nodeId());
    }
}
