package io.highlander.it.appservers.scheduled;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.OfSingleton;
import jakarta.enterprise.concurrent.Asynchronous;
import jakarta.enterprise.concurrent.Schedule;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Fires every second on every node; only the node that leads {@value #NAME} runs the firing. The method is
 * {@code void} on purpose: a scheduled asynchronous method stops for good once it returns a non-null value or
 * throws (Concurrency 3.1, {@code Asynchronous.runAt}), and a skipped {@code CompletableFuture} method would return
 * a completed future. So it returns nothing and lets no exception out.
 */
@ApplicationScoped
public class EverySecond {

    /** The bean-less election: no {@code @ClusterSingleton} has this name. */
    public static final String NAME = "every-second";

    private static final System.Logger LOG = System.getLogger(EverySecond.class.getName());

    @Inject
    @OfSingleton(NAME)
    Leadership leadership;

    @Inject
    FiringLog log;

    /** Called once at start-up ({@link Starter}); the container then runs it on the schedule. */
    @LeaderOnly(NAME)
    @Asynchronous(runAt = @Schedule(cron = "* * * * * *"))
    public void fire() {
        try {
            log.record(leadership.check());
        } catch (NotLeaderException e) {
            // the term ended between the interceptor's check and this one: the next firing is skipped
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "firing not recorded", e);
        }
    }
}
