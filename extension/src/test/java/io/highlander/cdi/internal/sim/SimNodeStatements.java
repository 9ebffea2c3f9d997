package io.highlander.cdi.internal.sim;

import io.highlander.cdi.internal.lock.LiveNode;
import io.highlander.cdi.internal.lock.LockHolder;
import io.highlander.cdi.internal.lock.LockKey;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.internal.lock.Notice;
import io.highlander.cdi.internal.lock.ServerInfo;
import io.highlander.cdi.internal.sim.LockTable.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node session's statements on the simulated server: each method sends the steps its SQL in {@code lock/Sql}
 * ({@code NodeSessionStatements}) performs, in the same order and in one statement where the SQL is one statement.
 * Kept in step with that SQL by hand (the simulation cannot run SQL text): a change there must be made here too.
 */
final class SimNodeStatements implements NodeStatements {

    private final SimConnection connection;
    private final ServerInfo server;
    private final Duration standbyInterval;
    private final boolean socketWaits;
    private final boolean mustAnnounce;
    private boolean ended;

    SimNodeStatements(SimConnection connection, Duration standbyInterval, boolean socketWaits,
            boolean mustAnnounce) {
        this.connection = connection;
        this.server = new ServerInfo(170006, "sim/highlander", connection.pid());
        this.standbyInterval = standbyInterval;
        this.socketWaits = socketWaits;
        this.mustAnnounce = mustAnnounce;
    }

    SimConnection connection() {
        return connection;
    }

    static AdvisoryKey livenessKey(int namespace, int random) {
        return AdvisoryKey.ofBigint(((long) namespace << 32) | Integer.toUnsignedLong(random));
    }

    private Duration slow() {
        return standbyInterval.plusSeconds(5);
    }

    @Override
    public ServerInfo server() {
        return server;
    }

    @Override
    public boolean takeLiveness(int namespace, int random) throws SQLException {
        List<Object> row = connection.call(List.of(
                new Step.TryLock(livenessKey(namespace, random), LockMode.EXCLUSIVE, Level.SESSION)), slow());
        return (Boolean) row.get(0);
    }

    @Override
    public boolean listen() throws SQLException {
        if (!socketWaits) {
            return false;
        }
        connection.call(List.of(new Step.Listen(LockSession.CHANNEL)), slow());
        return true;
    }

    @Override
    public boolean canAwaitNotices() {
        return socketWaits;
    }

    @Override
    public List<Notice.Heard> awaitNotices(int millis) throws SQLException {
        return connection.awaitNotices(Math.max(1, millis));
    }

    @Override
    public void heartbeat(Duration timeout) throws SQLException {
        connection.call(List.of(new Step.BackendPid()), timeout);
    }

    @Override
    public Grab tryAcquireAll(int namespace, int companions, Collection<Integer> keys, Duration timeout)
            throws SQLException {
        List<Integer> wanted = List.copyOf(keys);
        int me = connection.pid();
        List<Step> steps = new ArrayList<>();
        // pre: how many of them this backend holds already, counted before any is taken
        steps.add(new Step.Read(c -> {
            long already = 0;
            for (Integer k : wanted) {
                if (c.holders(AdvisoryKey.ofPair(namespace, k)).containsKey(me)) {
                    already++;
                }
            }
            return already;
        }));
        // got: each one tried, only if none was held
        for (Integer k : wanted) {
            steps.add(new Step.Choose((v, c) -> (Long) v.get(0) == 0
                    ? new Step.TryLock(AdvisoryKey.ofPair(namespace, k), LockMode.EXCLUSIVE, Level.SESSION)
                    : new Step.Value(false)));
        }
        // taken: each key's companion tried after its grant, held to the commit (the fence's barrier, Sql.TAKE_OVER)
        int companionsAt = steps.size();
        for (int i = 0; i < wanted.size(); i++) {
            int index = i;
            steps.add(new Step.Choose((v, c) -> Boolean.TRUE.equals(v.get(1 + index))
                    ? new Step.TryLock(AdvisoryKey.ofPair(companions, wanted.get(index)), LockMode.EXCLUSIVE,
                            Level.TRANSACTION)
                    : new Step.Value(null)));
        }
        int tokenAt = steps.size();
        // the token, after every grant, only if something was taken
        steps.add(new Step.Choose((v, c) -> anyTaken(v, wanted.size())
                ? new Step.CurrentXactId() : new Step.Value(null)));
        // an 'acquired' per key taken: always in strict mode, else unless the cluster's queue is half full (Sql.TAKE_OVER)
        for (int i = 0; i < wanted.size(); i++) {
            int index = i;
            steps.add(new Step.Choose((v, c) -> Boolean.TRUE.equals(v.get(1 + index))
                    && (mustAnnounce || c.notificationQueueUsage() < 0.5)
                    ? new Step.Notify(LockSession.CHANNEL, Notice.Acquired.prefix(namespace)
                            + Integer.toUnsignedLong(wanted.get(index)) + " " + v.get(tokenAt))
                    : new Step.Value(null)));
        }
        List<Object> row = connection.call(steps, timeout);
        if ((Long) row.get(0) > 0) {
            throw new IllegalStateException("asked for a lock its session holds already: " + keys);
        }
        Set<Integer> taken = new LinkedHashSet<>();
        Set<Integer> busy = new LinkedHashSet<>();
        for (int i = 0; i < wanted.size(); i++) {
            if (Boolean.TRUE.equals(row.get(1 + i))) {
                taken.add(wanted.get(i));
                if (Boolean.FALSE.equals(row.get(companionsAt + i))) {
                    busy.add(wanted.get(i));
                }
            }
        }
        return taken.isEmpty() ? new Grab(Set.of(), -1)
                : new Grab(Set.copyOf(taken), (Long) row.get(tokenAt), Set.copyOf(busy));
    }

    private static boolean anyTaken(List<Object> values, int count) {
        for (int i = 1; i <= count; i++) {
            if (Boolean.TRUE.equals(values.get(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean unlock(LockKey key, Notice.Released notice, Duration timeout) throws SQLException {
        List<Object> row = connection.call(List.of(
                new Step.Unlock(AdvisoryKey.ofPair(key.namespace(), key.key()), LockMode.EXCLUSIVE),
                queueRoom(notice)), timeout);
        return (Boolean) row.get(0);
    }

    @Override
    public Map<Integer, LockHolder> holdersOf(int namespace, Collection<Integer> keys) throws SQLException {
        List<Integer> asked = List.copyOf(keys);
        List<Object> row = connection.call(List.of(new Step.Read(c -> {
            Map<Integer, LockHolder> holders = new LinkedHashMap<>();
            for (Integer k : asked) {
                for (Integer pid : c.holders(AdvisoryKey.ofPair(namespace, k)).keySet()) {
                    holders.put(k, new LockHolder(pid, c.applicationName(pid).orElse("")));
                }
            }
            return holders;
        })), slow());
        @SuppressWarnings("unchecked")
        Map<Integer, LockHolder> holders = (Map<Integer, LockHolder>) row.get(0);
        return holders;
    }

    @Override
    public List<LiveNode> liveNodes(int namespace) throws SQLException {
        return liveNodes(connection, namespace, slow());
    }

    static List<LiveNode> liveNodes(SimConnection connection, int namespace, Duration timeout) throws SQLException {
        long classid = Integer.toUnsignedLong(namespace);
        List<Object> row = connection.call(List.of(new Step.Read(c -> {
            List<LockTable.Row> rows = new ArrayList<>();
            for (LockTable.Row r : c.advisoryLocks()) {
                if (r.granted() && r.mode() == LockMode.EXCLUSIVE && r.key().objsubid() == 1
                        && r.key().classid() == classid) {
                    rows.add(r);
                }
            }
            rows.sort(java.util.Comparator.comparingLong(r -> r.key().objid()));
            List<LiveNode> live = new ArrayList<>();
            for (LockTable.Row r : rows) {
                live.add(new LiveNode((int) r.key().objid(), r.pid()));
            }
            return live;
        })), timeout);
        @SuppressWarnings("unchecked")
        List<LiveNode> live = (List<LiveNode>) row.get(0);
        return live;
    }

    @Override
    public void notify(Notice notice) throws SQLException {
        connection.call(List.of(queueRoom(notice)), slow());
    }

    /** {@code CASE WHEN pg_notification_queue_usage() < 0.5 THEN pg_notify(...) END}: a hint, skipped when full. */
    static Step queueRoom(Notice notice) {
        return new Step.Choose((v, c) -> c.notificationQueueUsage() < 0.5
                ? new Step.Notify(LockSession.CHANNEL, notice.payload()) : new Step.Value(null));
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public void release() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            connection.call(List.of(new Step.UnlockAll()), Duration.ofSeconds(5));
            connection.call(List.of(new Step.UnlistenAll()), Duration.ofSeconds(5));
            connection.abort(); // the reset and the close: the session ends, as the pool's handle would end it here
        } catch (SQLException e) {
            connection.abort();
        }
    }

    @Override
    public void abandon() {
        ended = true;
        connection.abort();
    }
}
