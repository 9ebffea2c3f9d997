package io.highlander.cdi.internal.metrics;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LossReason;
import io.highlander.cdi.SingletonStatus;
import java.time.Duration;
import java.util.List;

/**
 * The values every metrics library publishes, read in one place so that Micrometer and OpenTelemetry show the
 * same thing: the election's own status for what it decides (leading, token, skipped calls), the
 * {@link LeadershipTally} for what is counted over time, the {@link NodeTally} for what the node session told.
 * Each reading is taken when a registry asks.
 */
public final class SingletonReadings {

    private final LeaderElector elector;
    private final LeadershipTally tally;
    private final NodeTally nodeTally;

    /**
     * @param elector   the node's elector
     * @param tally     the node's counts by singleton
     * @param nodeTally the node session's counts
     */
    public SingletonReadings(LeaderElector elector, LeadershipTally tally, NodeTally nodeTally) {
        this.elector = elector;
        this.tally = tally;
        this.nodeTally = nodeTally;
    }

    /** @return this node's id */
    public String node() {
        return elector.nodeId();
    }

    /** @return the names of the node's elections (singletons and bean-less {@code @LeaderOnly} names) */
    public List<String> singletons() {
        return elector.status().stream().map(SingletonStatus::singleton).toList();
    }

    /** @return the tally, for takeover durations as they happen */
    public LeadershipTally tally() {
        return tally;
    }

    /** @return the node session's tally, for heartbeat round trips as they happen */
    public NodeTally nodeTally() {
        return nodeTally;
    }

    /** @return how many connections of the DataSource this node holds now */
    public long connections() {
        return nodeTally.connectionsHeld();
    }

    /** @return how many times this node's session was opened again after it was lost */
    public long reconnects() {
        return nodeTally.reconnects();
    }

    /**
     * @param kind a kind of notice ({@link NodeTally#NOTICE_KINDS})
     * @return how many of them this node's session heard from other sessions
     */
    public long noticesHeard(String kind) {
        return nodeTally.noticesHeard(kind);
    }

    /** @return the kinds of notice the meters count apart */
    public List<String> noticeKinds() {
        return NodeTally.NOTICE_KINDS;
    }

    /**
     * @param singleton an election's name
     * @return 1 while this node leads it, else 0
     */
    public long leading(String singleton) {
        return elector.status(singleton).leading() ? 1 : 0;
    }

    /**
     * @param singleton an election's name
     * @return the current term's fencing token while this node leads, else 0 (a standby has no term)
     */
    public long token(String singleton) {
        SingletonStatus status = elector.status(singleton);
        return status.leading() ? status.fencingToken().orElse(0) : 0;
    }

    /**
     * @param singleton an election's name
     * @return how long ago this node's current term's lock was granted, in seconds; 0 between terms
     */
    public double termAgeSeconds(String singleton) {
        if (leading(singleton) == 0) {
            return 0;
        }
        return tally.termStart(singleton)
                .map(start -> Math.max(0, Duration.between(start, tally.now()).toNanos() / 1e9))
                .orElse(0.0);
    }

    /**
     * @param singleton an election's name
     * @return terms begun on this node
     */
    public long termsBegun(String singleton) {
        return tally.termsBegun(singleton);
    }

    /**
     * @param singleton an election's name
     * @param reason    why
     * @return terms ended on this node for that reason
     */
    public long termsLost(String singleton, LossReason reason) {
        return tally.termsLost(singleton, reason);
    }

    /**
     * @param singleton an election's name
     * @return {@code @LeaderOnly} calls this node let through
     */
    public long leaderOnlyRun(String singleton) {
        return tally.leaderOnlyRun(singleton);
    }

    /**
     * @param singleton an election's name
     * @return {@code @LeaderOnly} calls this node skipped because it did not lead
     */
    public long leaderOnlySkipped(String singleton) {
        return elector.status(singleton).skippedCalls();
    }
}
