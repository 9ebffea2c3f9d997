package io.highlander.cdi.schedule;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.testing.History;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * A job that a scheduler on every node fires with the scheduled time it meant (a node whose clock is behind passes
 * a later one for the same instant); each run is recorded with the node and the term's token.
 */
@ApplicationScoped
public class InstantJob {

    /** The election. */
    public static final String NAME = "nightly";

    @Inject
    LeaderElector elector;
    @Inject
    @OfSingleton(NAME)
    Leadership leadership;
    @Inject
    History history;

    /** @param scheduled the firing's scheduled time; its hour is the instant */
    @LeaderOnly(NAME)
    @RunOnce(every = "PT1H", job = "report")
    public void report(Instant scheduled) {
        history.add(elector.nodeId(), "report:" + scheduled, leadership.fencingToken());
    }

    /** @param scheduled the firing's scheduled time; a firing on a node that does not lead waits up to 30 s */
    @LeaderOnly(NAME)
    @RunOnce(every = "PT1H", job = "late-report", misfireGrace = "PT30S")
    public void lateReport(Instant scheduled) {
        history.add(elector.nodeId(), "late-report:" + scheduled, leadership.fencingToken());
    }

    /** @param scheduled the firing's scheduled time; {@code @LeaderOnly} alone, to show what it does not prevent */
    @LeaderOnly(NAME)
    public void plainReport(Instant scheduled) {
        history.add(elector.nodeId(), "plain-report:" + scheduled, leadership.fencingToken());
    }
}
