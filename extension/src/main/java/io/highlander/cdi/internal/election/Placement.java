package io.highlander.cdi.internal.election;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Which of the locks it wants a node tries: all of them under first-come placement; under balanced placement as
 * many as its share over {@link FairShare} has room for, and, when it has no room, only those that went unclaimed
 * at every look for a standby interval (liveness before balance). Pure; confined to the node loop.
 */
final class Placement {

    private final boolean balanced;
    private final long graceNanos;
    private final FairShare fair = new FairShare();

    /**
     * @param balanced   whether placement is balanced (else first come)
     * @param graceNanos how long a lock must go unclaimed before a node at its share takes it anyway
     */
    Placement(boolean balanced, long graceNanos) {
        this.balanced = balanced;
        this.graceNanos = graceNanos;
    }

    /** @return whether the live nodes are counted */
    boolean balanced() {
        return balanced;
    }

    /** A new node session: nothing counted before holds. */
    void reset() {
        fair.reset();
    }

    /**
     * @param live      the liveness halves (unsigned) of every live node session
     * @param self      this node's
     * @param elections S
     * @return whether N or this node's share changed
     */
    boolean counted(List<Long> live, int self, int elections) {
        return fair.count(live, self, elections);
    }

    /**
     * @param keeping the terms this node runs and keeps
     * @return how many more locks it may take: unbounded under first come
     */
    int room(int keeping) {
        return balanced ? fair.share() - keeping : Integer.MAX_VALUE;
    }

    /**
     * A node without room looked who holds what it wants.
     *
     * @param skipped the keys it wants
     * @param held    those somebody holds
     * @param now     the look's send time
     * @return the keys to try anyway: unclaimed at every look for the grace
     */
    Set<Integer> looked(Collection<Integer> skipped, Set<Integer> held, long now) {
        return fair.looked(skipped, held, now, graceNanos);
    }

    /** @param keys keys just tried */
    void tried(Collection<Integer> keys) {
        fair.tried(keys);
    }

    /** @return N as last counted; 0 under first come */
    int nodes() {
        return balanced ? fair.nodes() : 0;
    }

    /** @return this node's share as last counted */
    int share() {
        return fair.share();
    }
}
