package io.highlander.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the server shows of the node processes, independent of how the library uses its connections: each node
 * slot logs in as its own role ({@link PostgresServer#role}), so every backend a node opens — lock sessions,
 * node sessions, watchers, look-ups — is counted against that node, whatever its {@code application_name}.
 */
final class Backends {

    private Backends() {
    }

    /** @return backends per node role in the connection's database */
    static Map<String, Integer> perRole(Connection observer) throws SQLException {
        Map<String, Integer> counts = new TreeMap<>();
        try (PreparedStatement query = observer.prepareStatement("SELECT usename, count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND usename LIKE 'hl\\_bench\\_n%' GROUP BY usename");
             ResultSet row = query.executeQuery()) {
            while (row.next()) {
                counts.put(row.getString(1), row.getInt(2));
            }
        }
        return counts;
    }

    /**
     * Ends, from the server side, every session of the role that holds a granted advisory lock: the leader's lock
     * session (one per singleton today; its node session in the new layer), not a session that only waits.
     *
     * @return how many sessions were ended
     */
    static int terminateLockHolders(Connection observer, String role) throws SQLException {
        try (PreparedStatement terminate = observer.prepareStatement("SELECT count(*) FILTER (WHERE"
                + " pg_terminate_backend(a.pid)) FROM pg_stat_activity a WHERE a.usename = ? AND a.datname = current_database()"
                + " AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)")) {
            terminate.setString(1, role);
            try (ResultSet row = terminate.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /**
     * Waits until every live node of the cluster has at least one backend and the count of each node's backends
     * has not changed for {@code steadyMillis}: the nodes are done connecting (a layer-neutral "settled"; it
     * does not assume that standbys wait in {@code pg_advisory_lock}). Tolerates a server that is restarting.
     *
     * @return whether it settled within the timeout
     */
    static boolean awaitSteady(PostgresServer server, Cluster cluster, long steadyMillis, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        Map<String, Integer> last = Map.of();
        long steadySince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Map<String, Integer> now = countOrNothing(server, cluster.database());
            boolean everyNode = cluster.nodes().stream().filter(NodeProcess::alive)
                    .allMatch(node -> now.getOrDefault(PostgresServer.role(node.slot), 0) > 0);
            if (!everyNode || !now.equals(last)) {
                steadySince = System.nanoTime();
                last = now;
            } else if (System.nanoTime() - steadySince >= steadyMillis * 1_000_000L) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static Map<String, Integer> countOrNothing(PostgresServer server, String database) {
        try (Connection observer = server.connect(database)) {
            return perRole(observer);
        } catch (SQLException e) {
            return Map.of(); // restarting
        }
    }
}
