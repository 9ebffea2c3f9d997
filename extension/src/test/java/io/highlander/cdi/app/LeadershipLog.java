package io.highlander.cdi.app;

import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.testing.History;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** The test application's observers: every event goes into the shared history. */
@ApplicationScoped
public class LeadershipLog {

    @Inject
    History history;

    void acquired(@Observes LeadershipAcquired event) {
        history.add(event.nodeId(), "acquired", event.fencingToken());
    }

    void lost(@Observes LeadershipLost event) {
        history.add(event.nodeId(), "lost:" + event.reason(), event.fencingToken());
    }

    void tickerAcquired(@Observes @OfSingleton("ticker") LeadershipAcquired event) {
        history.add(event.nodeId(), "ticker-acquired", event.fencingToken());
    }

    void otherAcquired(@Observes @OfSingleton("some-other-singleton") LeadershipAcquired event) {
        history.add(event.nodeId(), "other-acquired", event.fencingToken());
    }
}
