package io.highlander.cdi.leaderonly;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.testing.History;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A bean bound at class level to the singleton "archive" ({@link Archive}): its methods run only where that runs. */
@ApplicationScoped
@LeaderOnly("archive")
public class Archiver {

    @Inject
    LeaderElector elector;
    @Inject
    History history;

    /** Records the run. */
    public void archive() {
        history.add(elector.nodeId(), "archive", elector.checkLeadership("archive"));
    }
}
