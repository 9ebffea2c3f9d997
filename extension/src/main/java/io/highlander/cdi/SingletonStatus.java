package io.highlander.cdi;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One singleton's state as seen from this node: an immutable snapshot from {@link LeaderElector#status()}.
 *
 * @param singleton    the singleton's name
 * @param nodeId       this node's id
 * @param state        the election's state on this node
 * @param leader       the id of the node that leads, if known (this node's id while it leads)
 * @param fencingToken the current term's token while this node leads, or the last one it held
 * @param since        when the current state began
 * @param restarts     how often this node restarted the singleton after a failure, since the application started
 * @param database     the database the lock lives in, as {@code host:port/name} or the server's own name, with
 *                     the PostgreSQL cluster's system identifier and the server's timeline, e.g.
 *                     {@code 10.0.0.5:5432/app (cluster 7716621917726955699, timeline 3)}, so an operator can spot a
 *                     node pointed at another database and see every node follow a failover (the timeline rises at
 *                     every promotion); empty before the first connection
 * @param lockHolder   the session that holds the singleton's lock when it is not a Highlander node (its backend
 *                     pid and {@code application_name}, e.g. {@code backend pid 4711 (application_name 'psql')}):
 *                     no node can lead until that session lets the lock go; empty otherwise
 * @param skippedCalls how many {@link LeaderOnly} calls this node skipped because it did not lead, since the
 *                     application started
 * @param heartbeatOnly whether this node's lock connection cannot wait for PostgreSQL in a socket read (its pool's
 *                     connections do not unwrap to pgjdbc's), so it sees the server end its session only at the
 *                     next heartbeat and another node's release only at its next try ({@code HL-0430})
 * @param placement    how this node places singletons ({@code highlander.placement})
 * @param liveNodes    N, the live nodes this node counted last (node sessions holding a liveness lock, its own
 *                     included); 0 under first-come placement, which does not count them
 * @param share        how many of this node's elections it may lead: under balanced placement its share of them
 *                     among the N live nodes (⌈S/N⌉ or ⌊S/N⌋, the shares adding up to S), under first come all
 *                     of them; a node may lead more for a while when nobody else takes a singleton (liveness comes
 *                     before balance)
 * @param ledHere      how many of this node's elections (singletons and bean-less {@link LeaderOnly} names) it
 *                     leads now
 */
public record SingletonStatus(
        String singleton,
        String nodeId,
        SingletonState state,
        Optional<String> leader,
        OptionalLong fencingToken,
        Instant since,
        int restarts,
        Optional<String> database,
        Optional<String> lockHolder,
        long skippedCalls,
        boolean heartbeatOnly,
        HighlanderSettings.Placement placement,
        int liveNodes,
        int share,
        int ledHere) {

    /** @return whether this node leads the singleton */
    public boolean leading() {
        return state == SingletonState.LEADING;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(singleton).append(": ").append(state).append(" on ").append(nodeId);
        leader.ifPresent(id -> text.append(", leader ").append(id));
        fencingToken.ifPresent(token -> text.append(", token ").append(token));
        text.append(", since ").append(since);
        if (restarts > 0) {
            text.append(", restarts ").append(restarts);
        }
        database.ifPresent(db -> text.append(", database ").append(db));
        lockHolder.ifPresent(holder -> text.append(", lock held by ").append(holder));
        if (skippedCalls > 0) {
            text.append(", skipped calls ").append(skippedCalls);
        }
        if (heartbeatOnly) {
            text.append(", heartbeat-only detection");
        }
        if (placement == HighlanderSettings.Placement.BALANCED) {
            text.append(", balanced: node leads ").append(ledHere).append(" of its share ").append(share)
                    .append(" among ").append(liveNodes).append(" live nodes");
        }
        return text.toString();
    }
}
