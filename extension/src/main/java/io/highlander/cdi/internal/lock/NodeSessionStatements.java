package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The node session's statements on PostgreSQL, each one round trip through its {@link LockSession}'s one path. */
public final class NodeSessionStatements extends PostgresStatements implements NodeStatements {

    private final boolean mustAnnounce;
    private final long tokenFloor;
    private Notifications notices;

    /**
     * @param session      the connection
     * @param mustAnnounce whether a term's {@code acquired} notice must go out even into a full notification queue,
     *                     failing the takeover otherwise ({@code highlander.takeover=strict})
     */
    public NodeSessionStatements(LockSession session, boolean mustAnnounce) {
        this(session, mustAnnounce, 0);
    }

    /**
     * @param session      the connection
     * @param mustAnnounce see {@link #NodeSessionStatements(LockSession, boolean)}
     * @param tokenFloor   {@code highlander.token-floor}, added to every fencing token, 0 or more
     */
    public NodeSessionStatements(LockSession session, boolean mustAnnounce, long tokenFloor) {
        super(session);
        this.mustAnnounce = mustAnnounce;
        this.tokenFloor = tokenFloor;
    }

    /**
     * Opens a node session.
     *
     * @param source          where the connection comes from
     * @param owner           whose connection it is, for messages
     * @param nodeId          this node's id
     * @param lease           L
     * @param standbyInterval the bound of round trips that are not the lease's
     * @param mustAnnounce    see {@link #NodeSessionStatements(LockSession, boolean)}
     * @return the node session's statements
     * @throws SQLException if it cannot be opened
     */
    public static NodeSessionStatements open(ConnectionSource source, String owner, String nodeId, Duration lease,
                                             Duration standbyInterval, boolean mustAnnounce) throws SQLException {
        return open(source, owner, nodeId, lease, standbyInterval, mustAnnounce, 0);
    }

    /**
     * Opens a node session whose fencing tokens are above a floor.
     *
     * @param source          where the connection comes from
     * @param owner           whose connection it is, for messages
     * @param nodeId          this node's id
     * @param lease           L
     * @param standbyInterval the bound of round trips that are not the lease's
     * @param mustAnnounce    see {@link #NodeSessionStatements(LockSession, boolean)}
     * @param tokenFloor      {@code highlander.token-floor}, 0 or more
     * @return the node session's statements
     * @throws SQLException if it cannot be opened
     */
    public static NodeSessionStatements open(ConnectionSource source, String owner, String nodeId, Duration lease,
                                             Duration standbyInterval, boolean mustAnnounce, long tokenFloor)
            throws SQLException {
        return new NodeSessionStatements(LockSession.open(source, owner, nodeId, lease, standbyInterval),
                mustAnnounce, tokenFloor);
    }

    @Override
    public ServerInfo server() {
        return session.server();
    }

    @Override
    public ClusterIdentity cluster() {
        return session.cluster();
    }

    @Override
    public boolean takeLiveness(int namespace, int random) throws SQLException {
        return session.verified(Sql.TAKE_LIVENESS, roundTripBound(), statement ->
                statement.setLong(1, livenessKey(namespace, random)), row -> row.getBoolean(1));
    }

    @Override
    public boolean listen() throws SQLException {
        notices = Notifications.of(session.connection()).orElse(null);
        if (notices == null) {
            return false; // nobody could read the notices: pgjdbc would keep every one in memory
        }
        session.listen();
        return true;
    }

    @Override
    public boolean canAwaitNotices() {
        return notices != null;
    }

    @Override
    public List<Notice.Heard> awaitNotices(int millis) throws SQLException {
        if (notices == null) {
            throw new IllegalStateException("no socket wait on this connection");
        }
        return notices.await(Math.max(1, millis));
    }

    @Override
    public void heartbeat(Duration timeout) throws SQLException {
        session.verified(Sql.HEARTBEAT, timeout, statement -> { }, row -> null);
    }

    @Override
    public Grab tryAcquireAll(int namespace, int companions, Collection<Integer> keys, Duration timeout)
            throws SQLException {
        try {
            return takeOver(namespace, companions, keys, timeout);
        } catch (LockTableFullException e) {
            throw e.asking(keys.size()); // the grants it made stay with the session, which the caller ends
        }
    }

    private Grab takeOver(int namespace, int companions, Collection<Integer> keys, Duration timeout)
            throws SQLException {
        return session.verified(Sql.TAKE_OVER, timeout, statement -> {
            statement.setArray(1, session.connection().createArrayOf("int4", keys.toArray()));
            statement.setLong(2, tokenFloor);
            statement.setLong(3, Integer.toUnsignedLong(namespace));
            statement.setInt(4, namespace);
            statement.setInt(5, companions);
            statement.setBoolean(6, mustAnnounce);
            statement.setString(7, Notice.Acquired.prefix(namespace));
        }, row -> {
            if (row.getInt(1) > 0) {
                throw new PoolerDetectedException(Messages.poolerLockAlreadyHeld(session.owner(),
                        session.server().backendPid()));
            }
            // the keys as text, not an array: a standby's tries take nothing, so the driver's array decoding ran
            // for the first time at its first takeover (try → @PostConstruct 15.7 → 8.5 ms graceful, 10.0 → 4.5 ms
            // crash in the benchmark, idle machine)
            String taken = row.getString(2);
            if (taken == null) {
                return new Grab(Set.of(), -1);
            }
            Set<Integer> got = keysOf(taken);
            // composed here too, for the reason where the statement made none (and so sent no notice): HL-0340,
            // HL-0344; the locks it took go with the session the caller then ends
            long token = FencingToken.aboveFloor(FencingToken.compose(FencingToken.timelineOf(row.getString(5)),
                    row.getLong(4)), tokenFloor);
            if (row.getObject(3) == null || row.getLong(3) != token) {
                throw new IllegalStateException("the takeover statement's token " + row.getObject(3)
                        + " is not FencingToken's " + token);
            }
            String busy = row.getString(6);
            return new Grab(Set.copyOf(got), token, busy == null ? Set.of() : Set.copyOf(keysOf(busy)));
        });
    }

    private static Set<Integer> keysOf(String commaSeparated) {
        Set<Integer> keys = new LinkedHashSet<>();
        for (String key : commaSeparated.split(",")) {
            keys.add(Integer.parseInt(key));
        }
        return keys;
    }

    @Override
    public boolean unlock(LockKey key, Notice.Released notice, Duration timeout) throws SQLException {
        return session.verified(Sql.UNLOCK, timeout, statement -> {
            statement.setInt(1, key.namespace());
            statement.setInt(2, key.key());
            statement.setString(3, notice.payload());
        }, row -> {
            if (row.getBoolean(2)) {
                warnQueueFull(0.5); // at least: the statement only says it skipped the notice
            }
            return row.getBoolean(1);
        });
    }

    @Override
    public Map<Integer, LockHolder> holdersOf(int namespace, Collection<Integer> keys) throws SQLException {
        return session.run(Sql.HOLDERS, roundTripBound(), statement -> {
            statement.setLong(1, Integer.toUnsignedLong(namespace));
            statement.setArray(2, session.connection().createArrayOf("int8",
                    keys.stream().map(Integer::toUnsignedLong).toArray()));
        }, rows -> {
            Map<Integer, LockHolder> holders = new HashMap<>();
            while (rows.next()) {
                holders.put((int) rows.getLong(1), new LockHolder(rows.getInt(2), rows.getString(3)));
            }
            return holders;
        });
    }

    private Duration roundTripBound() {
        return session.standbyInterval().plusSeconds(5);
    }
}
