package com.example;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

@ApplicationScoped
@ClusterSingleton("nightly-report")   // the lock's name: keep it when you rename or move the class
public class NightlyReport {

    private static final System.Logger LOG = System.getLogger(NightlyReport.class.getName());

    @Inject
    LeaderElector elector;

    @PostConstruct
    void start() {   // runs only on the node that holds the lock; start your work here, on a thread of your own
        long fencingToken = elector.checkLeadership("nightly-report");   // cheap, local; throws once the lease ran out
        LOG.log(System.Logger.Level.INFO, "nightly report: started, fencing token " + fencingToken);
    }

    @PreDestroy
    void stop() {    // runs when this node loses the lock or the application stops
        LOG.log(System.Logger.Level.INFO, "nightly report: stopped");
    }
}
