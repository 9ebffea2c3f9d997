package io.highlander.cdi.leaderonly;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.testing.History;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** One bean whose two methods follow two bean-less elections, "tally" and "audit": each call is gated on its own. */
@ApplicationScoped
public class TwoElectionsWork {

    @Inject
    LeaderElector elector;
    @Inject
    History history;

    /** Records the run, where this node leads "tally". */
    @LeaderOnly("tally")
    public void tally() {
        history.add(elector.nodeId(), "tally", elector.checkLeadership("tally"));
    }

    /** Records the run, where this node leads "audit". */
    @LeaderOnly("audit")
    public void audit() {
        history.add(elector.nodeId(), "audit", elector.checkLeadership("audit"));
    }
}
