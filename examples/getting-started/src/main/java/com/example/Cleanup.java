package com.example;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.OfSingleton;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

@ApplicationScoped   // on every node: App's scheduler calls run() on every node
public class Cleanup {

    private static final System.Logger LOG = System.getLogger(Cleanup.class.getName());

    @Inject
    @OfSingleton("cleanup")
    Leadership leadership;   // the current term of the election "cleanup", with its fencing token

    @LeaderOnly("cleanup")   // runs on the node that leads "cleanup"; elsewhere the call returns at once
    public void run() {
        try {
            long fencingToken = leadership.check();   // pass it with every write, so a stale leader's write is refused
            LOG.log(System.Logger.Level.INFO, "cleanup: ran, fencing token " + fencingToken);
        } catch (NotLeaderException e) {
            // the term ended after the call was let in: this run is skipped, the next leader runs the next one
        }
    }
}
