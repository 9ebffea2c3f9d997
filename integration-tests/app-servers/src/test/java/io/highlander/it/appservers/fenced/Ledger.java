package io.highlander.it.appservers.fenced;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The singleton whose terms fence the writes: its {@code @PostConstruct} is the moment a term begins, and records it
 * (with how many transactions fenced by another node were still open then).
 */
@ApplicationScoped
@ClusterSingleton(Ledger.NAME)
public class Ledger {

    /** The singleton's name. */
    public static final String NAME = "fenced-ledger";

    @Inject
    @OfSingleton(NAME)
    Leadership leadership;
    @Inject
    Journal journal;

    @PostConstruct
    void termBegan() {
        journal.termBegan(leadership.fencingToken());
    }

    /** @return whether this instance is there (a call on a node that does not lead is refused) */
    public boolean here() {
        return true;
    }
}
