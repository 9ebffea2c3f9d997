package io.highlander.cdi.leaderonly;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.Leadership;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A cluster singleton that injects its term. */
@ApplicationScoped
@ClusterSingleton("archive")
public class Archive {

    @Inject
    Leadership leadership;

    /** @return the term this instance was created in */
    public Leadership leadership() {
        return leadership;
    }
}
