package io.highlander.cdi.leaderonly;

import io.highlander.cdi.LeaderOnly;
import jakarta.enterprise.context.ApplicationScoped;

/** Takes part in the bean-less election "audit" only, so that a node can lead "audit" and not "tally". */
@ApplicationScoped
public class AuditWork {

    /** Does nothing; the binding declares the election. */
    @LeaderOnly("audit")
    public void audit() {
    }
}
