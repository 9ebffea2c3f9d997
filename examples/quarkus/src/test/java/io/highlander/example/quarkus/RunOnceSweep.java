package io.highlander.example.quarkus;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.RunOnce;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A job of {@link RunOnceOnQuarkusTest}'s only: Quarkus' scheduler fires it every second, {@code @LeaderOnly} lets it
 * run where this node leads {@value #NAME}, and {@code @RunOnce} records each instant in the ledger before it runs.
 * Each run is kept with the firing's scheduled time and the term's token. Present only under the test's profile
 * ({@code example.test.runonce=true}), so that the other tests' application has no ledger to write.
 */
@ApplicationScoped
@IfBuildProperty(name = "example.test.runonce", stringValue = "true")
public class RunOnceSweep {

    /** The job's election, of its own. */
    public static final String NAME = "quarkus-runonce";

    /** One run: the firing's scheduled time, and the token of the term it ran in. */
    public record Run(Instant scheduled, long token) {
    }

    @Inject
    @OfSingleton(NAME)
    Leadership term;

    private final List<Run> runs = new CopyOnWriteArrayList<>();

    /** @param execution Quarkus' firing, whose scheduled time names the instant */
    @Scheduled(every = "1s", identity = "highlander-example-runonce")
    @LeaderOnly(NAME)
    @RunOnce(every = "PT1S", misfireGrace = "PT0.5S")
    public void sweep(ScheduledExecution execution) {
        runs.add(new Run(execution.getScheduledFireTime(), term.check()));
    }

    /** @return the runs on this node so far */
    public List<Run> runs() {
        return List.copyOf(runs);
    }
}
