package io.highlander.cdi.leaderonly;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.testing.History;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/** A plain bean on every node whose methods run only on the leader of the bean-less election "sweep". */
@ApplicationScoped
public class Sweeper {

    @Inject
    LeaderElector elector;
    @Inject
    @OfSingleton("sweep")
    Leadership leadership;
    @Inject
    History history;

    /** Records the run with the term's token. */
    @LeaderOnly("sweep")
    public void sweep() {
        history.add(elector.nodeId(), "sweep", leadership.check());
    }

    /** @return the node, in a future */
    @LeaderOnly("sweep")
    public CompletionStage<String> sweepLater() {
        return CompletableFuture.completedFuture(elector.nodeId());
    }

    /** @return the node, in a future */
    @LeaderOnly("sweep")
    public Future<String> sweepInFuture() {
        return CompletableFuture.completedFuture(elector.nodeId());
    }

    /** @return the node, if it ran */
    @LeaderOnly("sweep")
    public Optional<String> sweepMaybe() {
        return Optional.of(elector.nodeId());
    }

    /** @return the node */
    @LeaderOnly("sweep")
    public String sweepAndAnswer() {
        return elector.nodeId();
    }

    /** @return the node; not guarded */
    public String node() {
        return elector.nodeId();
    }
}
