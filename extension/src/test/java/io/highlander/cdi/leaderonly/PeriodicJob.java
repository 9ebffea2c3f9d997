package io.highlander.cdi.leaderonly;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.testing.History;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The work a scheduler fires on every node; only the leader of "periodic" does it. */
@ApplicationScoped
public class PeriodicJob {

    @Inject
    LeaderElector elector;
    @Inject
    @OfSingleton("periodic")
    Leadership leadership;
    @Inject
    History history;

    /** @param period the number of the period this firing belongs to */
    @LeaderOnly("periodic")
    public void fire(long period) {
        history.add(elector.nodeId(), "period:" + period, leadership.check());
    }
}
