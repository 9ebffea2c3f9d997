package io.highlander.example;

import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.OfSingleton;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Watches the ticker's leadership. Observers run on Highlander's lifecycle thread after the instance was
 * created ({@code LeadershipAcquired}) or destroyed ({@code LeadershipLost}); leave out the qualifier to
 * hear about every singleton.
 */
@ApplicationScoped
public class LeadershipLog {

    @Inject
    Report report;

    void acquired(@Observes @OfSingleton(Ticker.NAME) LeadershipAcquired event) {
        // at(): when the lock was acquired, before the instance was created
        report.print("acquired", "token=" + event.fencingToken() + " locked=" + event.at());
    }

    void lost(@Observes @OfSingleton(Ticker.NAME) LeadershipLost event) {
        // reason: SHUTDOWN, STEPPED_DOWN, CONNECTION_LOST, LEASE_EXPIRED, ...
        report.print("lost", "token=" + event.fencingToken() + " reason=" + event.reason());
    }
}
