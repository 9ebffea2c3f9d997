package io.highlander.cdi.internal.election;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Balanced placement's arithmetic, pure and confined to the node's lock thread: this node's share of its S
 * elections among the N live nodes, and which keys it skipped have gone unclaimed long enough that liveness beats
 * balance. See docs/design/election.md (rules B1 to B4) for the rules and why they cannot starve a singleton.
 */
final class FairShare {

    private int nodes;
    private int share;
    /** Per key this node skipped: since when (nanoTime) every look found nobody holding it. */
    private final Map<Integer, Long> unclaimedSince = new HashMap<>();

    /**
     * The share of the node at {@code rank} in the ring: ⌈S/N⌉ for the first {@code S mod N} nodes, ⌊S/N⌋ for the
     * rest, so the shares add up to S and every node at its share is the balanced state.
     *
     * @param elections S
     * @param nodes     N, at least 1
     * @param rank      the node's place among the live nodes' liveness keys, ascending, from 0
     * @return the node's share
     */
    static int shareOf(int elections, int nodes, int rank) {
        return elections / nodes + (rank < elections % nodes ? 1 : 0);
    }

    /**
     * A new count of the live nodes.
     *
     * @param live      the liveness keys' random halves of every live node session, unsigned, in any order
     * @param self      this node's, as drawn
     * @param elections S, this node's elections
     * @return whether N or this node's share changed with it (the first count after a connect always does)
     */
    boolean count(List<Long> live, int self, int elections) {
        long mine = Integer.toUnsignedLong(self);
        boolean counted = false;
        int rank = 0;
        for (long key : live) {
            if (key == mine) {
                counted = true;
            } else if (key < mine) {
                rank++;
            }
        }
        int n = live.size() + (counted ? 0 : 1); // this node is live even if the count missed it
        int next = shareOf(elections, n, rank);
        boolean changed = n != nodes || next != share;
        nodes = n;
        share = next;
        return changed;
    }

    /** @return N as last counted, 0 before the first count */
    int nodes() {
        return nodes;
    }

    /** @return this node's share as last counted, 0 before the first count */
    int share() {
        return share;
    }

    /** A new node session: nothing counted or seen before it holds. */
    void reset() {
        nodes = 0;
        share = 0;
        unclaimedSince.clear();
    }

    /**
     * A look at who holds the keys this node skipped.
     *
     * @param skipped the keys it wants but did not try
     * @param held    those of them somebody holds
     * @param now     the look's send time
     * @param grace   how long a key must have been found unclaimed at every look before this node takes it anyway
     * @return the keys found unclaimed at every look for at least {@code grace}
     */
    Set<Integer> looked(Collection<Integer> skipped, Set<Integer> held, long now, long grace) {
        unclaimedSince.keySet().retainAll(skipped);
        Set<Integer> orphans = new LinkedHashSet<>();
        for (Integer key : skipped) {
            if (held.contains(key)) {
                unclaimedSince.remove(key);
            } else if (now - unclaimedSince.computeIfAbsent(key, k -> now) >= grace) {
                orphans.add(key);
            }
        }
        return orphans;
    }

    /** @param keys keys just tried: each is ours now or somebody else's, so not unclaimed */
    void tried(Collection<Integer> keys) {
        unclaimedSince.keySet().removeAll(keys);
    }
}
