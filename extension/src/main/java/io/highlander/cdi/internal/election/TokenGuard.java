package io.highlander.cdi.internal.election;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.lock.ClusterIdentity;
import java.util.Optional;

/**
 * A node's memory of the fencing tokens it handed out and heard of, and of the cluster they came from, so that it
 * never begins a term with a token that may not be above them. The server's tokens are ordered by timeline and
 * transaction id ({@code FencingToken}), which holds across crashes, promotions and restores of one cluster, but
 * not when the URL now leads to <em>another</em> cluster (a dump restored elsewhere, a logical upgrade, a
 * blue/green switch), whose ids start again. So it refuses:
 * <ul>
 *   <li>a token not above the highest it knows of (its own, and those announced in {@code acquired} notices);</li>
 *   <li>any token from a cluster other than the one of its first session (a different {@code system_identifier}):
 *       a node has not heard every other node's token (first-come nodes do not announce theirs), so a token above
 *       its own highest proves nothing there. It refuses until it is restarted, which the operator does once the
 *       systems that check tokens are ready, or with {@code highlander.token-floor} raised above the old tokens.</li>
 * </ul>
 * Pure; used by the node's lock thread only. See {@code docs/design/tokens.md}.
 */
final class TokenGuard {

    private final String nodeId;
    private long highest = Long.MIN_VALUE;
    private ClusterIdentity highestOn;
    /** The cluster of this node's first session: the only one it may hand out tokens from. */
    private ClusterIdentity home;
    /** Whether the last judgement was a refusal, so that a refusal is logged once per change. */
    private boolean refusing;

    /**
     * @param message  the line to log
     * @param repeated whether the previous judgement refused too (log once per change)
     */
    record Refusal(String message, boolean repeated) {
    }

    TokenGuard(String nodeId) {
        this.nodeId = nodeId;
    }

    /**
     * Judges the token of terms this node is about to begin.
     *
     * @param token   the token the server handed out
     * @param cluster where the session that took it is
     * @return empty if it is above every token this node knows of (and then it is remembered), else why this
     *         node must not begin those terms
     */
    Optional<Refusal> refusal(long token, ClusterIdentity cluster) {
        boolean otherCluster = home != null && cluster.otherClusterThan(home);
        if (token > highest && !otherCluster) {
            highest = token;
            highestOn = cluster;
            refusing = false;
            return Optional.empty();
        }
        boolean repeated = refusing;
        refusing = true;
        String message = otherCluster
                ? Messages.otherCluster(nodeId, cluster, home, highest == Long.MIN_VALUE ? "none" : Long.toString(highest))
                : Messages.tokenNotAbove(nodeId, token, highest, cluster,
                        highestOn == null ? "announced by another node" : "handed out on " + highestOn);
        return Optional.of(new Refusal(message, repeated));
    }

    /**
     * @return whether the last judgement refused: a release heard now is most likely another node's refusal, and
     *         this node's next grab would most likely be refused too
     */
    boolean refusing() {
        return refusing;
    }

    /**
     * @param cluster where a new node session of this node is; the first one is the node's home
     */
    void connected(ClusterIdentity cluster) {
        if (home == null) {
            home = cluster;
        }
    }

    /**
     * @param token a token another node announced ({@code acquired} notice)
     */
    void heard(long token) {
        if (token > highest) {
            highest = token;
            highestOn = null;
        }
    }
}
