package io.highlander.it.appservers.runonce;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.RunOnce;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * The job: each second once, cluster-wide. A firing on a node that does not lead waits up to 30 s for this node to
 * lead (the misfire grace), so that a second whose leader stopped just before it is run by the next leader. Payara
 * then skips that node's firings that fall due meanwhile, so a grace longer than the period is for this test only
 * (it leaves the test time to act on a loaded machine); in production keep it shorter than the period.
 */
@ApplicationScoped
public class Report {

    /** The bean-less election. */
    public static final String NAME = "run-once";

    @Inject
    @OfSingleton(NAME)
    Leadership leadership;
    @Inject
    Records records;

    /** @param scheduled the second the timer fired for (its instant) */
    @LeaderOnly(NAME)
    @RunOnce(every = "PT1S", misfireGrace = "PT30S")
    public void run(Instant scheduled) {
        records.ran(scheduled.getEpochSecond(), leadership.fencingToken());
    }
}
