package com.example;

import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.OfSingleton;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

@ApplicationScoped   // makes it a bean: without a bean-defining annotation its observers never fire
public class Watcher {

    private static final System.Logger LOG = System.getLogger(Watcher.class.getName());

    void onGain(@Observes @OfSingleton("nightly-report") LeadershipAcquired e) {
        LOG.log(System.Logger.Level.INFO, "leading since " + e.at() + ", fencing token " + e.fencingToken());
    }

    void onLoss(@Observes LeadershipLost e) {   // every singleton's events
        if (e.reason() != LossReason.SHUTDOWN) {
            LOG.log(System.Logger.Level.WARNING, e.singleton() + " lost: " + e.reason());
        }
    }
}
