package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Executor;

/**
 * One connection with Highlander's session settings: a node session (every advisory lock the node wins, its
 * liveness lock, {@code LISTEN}, see the election package) or a node's watcher; the single-lock methods remain
 * for tests and tools. The only class that speaks SQL; every statement is constant text with bind parameters.
 *
 * <p>Used by one thread at a time (the node's lock thread, or its watcher), except {@link #cancel()} and
 * {@link #abandon()}, which another thread may call to end a wait.
 *
 * <h2>Session settings</h2>
 * {@link #open} sets, in one statement, whatever the role, database, server or pool said before:
 * <ul>
 *   <li>{@code idle_session_timeout} = L: the {@link Lease}; a session that sends nothing for L is ended by the
 *       server, which frees the lock.</li>
 *   <li>{@code idle_in_transaction_session_timeout} = L: the same inside a transaction, where
 *       {@code idle_session_timeout} does not count (the session also stays in autocommit).</li>
 *   <li>{@code tcp_keepalives_idle} and {@code tcp_keepalives_interval} = L rounded up to seconds, and
 *       {@code tcp_user_timeout} = L in ms: a lower value (of the role, the database or the server) would let
 *       the server drop a leader's session on a bad link before {@code s + L}. (TCP only; over a Unix socket
 *       they do nothing.)</li>
 *   <li>{@code statement_timeout} = 0: a shorter role or pool value would turn every blocking wait into an
 *       error, an abort and a reconnect; waits are bounded by {@code lock_timeout}, other statements by the
 *       connection's network timeout.</li>
 *   <li>{@code lock_timeout} = the wait bound (the watcher's {@code highlander.watcher.wait}): bounds a blocking
 *       wait on the server side, which, unlike a socket timeout, leaves no ghost waiter in the lock's queue.</li>
 *   <li>{@code client_connection_check_interval} = 1 s: a waiting backend whose client died (a killed node, an
 *       aborted connection) leaves the lock's queue within a second instead of at {@code lock_timeout}
 *       (PG-SEMANTICS §5a).</li>
 *   <li>{@code application_name} = {@code highlander:<node>}: so that every node can see who holds a lock
 *       ({@link LockHolder}).</li>
 *   <li>{@code highlander.session_tag} = a random UUID, read back at every acquire, token and heartbeat: a
 *       different value means another client's statements ran in this backend (a transaction pooler).</li>
 *   <li>{@code synchronous_commit} = {@code local}: a commit of ours that writes WAL (the token's transaction, or
 *       any added later) waits for the local flush and never for a replica, so a synchronous standby that is down
 *       cannot hold this session, and every lock it holds, in {@code SyncRep} for ever (PG-SEMANTICS §10); the
 *       token's order across failovers comes from the timeline ({@link FencingToken}), not from replication.</li>
 * </ul>
 * On the client side the connection's network timeout bounds each round trip.
 *
 * <p>{@link #release} unlocks every advisory lock of the session, sets each setting back to
 * {@code pg_settings.reset_val} (the value the connection had from the server, database, role and connection
 * options, i.e. what the pool handed out), clears the tag, restores the network timeout read at open, and only
 * then closes the connection; any failure there {@linkplain #abandon() abandons} it instead.
 */
public final class LockSession implements AutoCloseable {

    /** The prefix of our sessions' {@code application_name}, followed by the node id. */
    public static final String APPLICATION_NAME_PREFIX = "highlander:";

    private static final System.Logger LOG = System.getLogger(LockSession.class.getName());
    private static final Executor DIRECT = Runnable::run;
    private static final int MINIMUM_VERSION = 140000;

    /** A custom setting of ours, set to a random value at open, read back by every statement that matters. */
    private static final String SESSION_TAG = "highlander.session_tag";
    /**
     * What a transaction pooler gives a driver that uses server-side prepared statements (pgjdbc does from a
     * statement's 5th use): the statement name is taken on the shared backend (42P05, seen with pgbouncer 1.18)
     * or missing on the backend the statement now lands on (26000).
     */
    private static final Set<String> POOLER_STATES = Set.of("42P05", "26000");
    private static final String SERVER_SQL =
            "SELECT current_setting('server_version_num')::int, pg_is_in_recovery(), pg_backend_pid(),"
                    + " coalesce(host(inet_server_addr()) || ':' || inet_server_port(), 'local') || '/' || current_database()";
    private static final String SETUP_SQL =
            "SELECT set_config('application_name', ?, false), set_config('idle_session_timeout', ?, false),"
                    + " set_config('idle_in_transaction_session_timeout', ?, false), set_config('lock_timeout', ?, false),"
                    + " set_config('tcp_keepalives_idle', ?, false), set_config('tcp_keepalives_interval', ?, false),"
                    + " set_config('tcp_user_timeout', ?, false), set_config('statement_timeout', '0', false),"
                    + " set_config('client_connection_check_interval', '1000', false),"
                    + " set_config('synchronous_commit', 'local', false),"
                    + " set_config('" + SESSION_TAG + "', ?, false), pg_backend_pid()";
    private static final String RESET_SQL =
            "SELECT set_config(name, reset_val, false) FROM pg_settings WHERE name IN ('application_name',"
                    + " 'idle_session_timeout', 'idle_in_transaction_session_timeout', 'lock_timeout',"
                    + " 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_user_timeout', 'statement_timeout',"
                    + " 'client_connection_check_interval', 'synchronous_commit')"
                    + " UNION ALL SELECT set_config('" + SESSION_TAG + "', '', false)";
    /**
     * How many times this backend holds the lock already, counted before the lock is taken (a materialized CTE
     * is evaluated before the outer query's select list), and the lock taken only if it holds none: a session
     * of ours never asks for a lock it holds, so a count above zero means another client shares the backend,
     * and taking the lock again would only make that client's lock ours too.
     */
    private static final String ALREADY_HELD =
            "WITH pre AS MATERIALIZED (SELECT count(*) AS already FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    + " AND pid = pg_backend_pid() AND database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database()) AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 2) ";
    private static final String TRY_LOCK_SQL = ALREADY_HELD + "SELECT CASE WHEN already = 0 THEN"
            + " pg_try_advisory_lock(?, ?) ELSE false END, already, pg_backend_pid(), current_setting('" + SESSION_TAG
            + "', true) FROM pre";
    private static final String LOCK_SQL = ALREADY_HELD + "SELECT CASE WHEN already = 0 THEN"
            + " pg_advisory_lock(?, ?)::text IS NOT NULL ELSE false END, already, pg_backend_pid(), current_setting('"
            + SESSION_TAG + "', true) FROM pre";
    private static final String UNLOCK_ALL_SQL = "SELECT pg_advisory_unlock_all()";
    /**
     * The server's timeline, the high half of a {@link FencingToken}: the first eight hex digits of the current WAL
     * file's name (any role may call both functions; on a server in recovery they fail, which is what we want).
     */
    private static final String TIMELINE = "pg_walfile_name(pg_current_wal_lsn())";
    /**
     * The token is a transaction id, and only a transaction whose commit record reached the disk cannot hand
     * its id out again after a crash. Reading an id writes no WAL of its own, so PostgreSQL commits such a
     * transaction asynchronously even with {@code synchronous_commit = on}; the transactional logical message
     * makes it a writing transaction, and the transaction-local {@code synchronous_commit = local} makes its commit
     * wait for the local flush (and for no replica) even where the role or server turned it off. Any role may call
     * both. A promoted replica or a restored backup may lack that commit: the timeline, read in the same statement,
     * orders the tokens then ({@link FencingToken}).
     */
    private static final String TOKEN_SQL = "SELECT pg_current_xact_id()::text::bigint, pg_backend_pid(),"
            + " current_setting('" + SESSION_TAG + "', true), set_config('synchronous_commit', 'local', true),"
            + " pg_logical_emit_message(true, 'highlander', ''), " + TIMELINE;
    private static final String HEARTBEAT_SQL = "SELECT pg_backend_pid(), current_setting('" + SESSION_TAG + "', true)";
    private static final String HOLDER_SQL =
            "SELECT l.pid, a.application_name FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database()) AND l.classid::bigint = ? AND l.objid::bigint = ?"
                    + " AND l.objsubid = 2";
    private static final String HOLDERS_SQL =
            "SELECT l.objid::bigint, l.pid, a.application_name FROM pg_locks l LEFT JOIN pg_stat_activity a"
                    + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid"
                    + " FROM pg_database WHERE datname = current_database()) AND l.classid::bigint = ?"
                    + " AND l.objsubid = 2 AND l.objid::bigint = ANY(?::bigint[])";
    private static final String HELD_SQL =
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
                    + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 2";
    /** The one channel every node listens on; see {@link #listen()}. */
    public static final String CHANNEL = "highlander";
    private static final String LISTEN_SQL = "LISTEN " + CHANNEL;
    private static final String UNLISTEN_SQL = "UNLISTEN *";
    private static final String NOTIFY_SQL = "SELECT pg_notify('" + CHANNEL + "', ?)";
    /**
     * A node's liveness lock: a bigint key whose high half is the namespace and whose low half is random per node
     * session, so that {@code pg_locks} shows it with {@code classid} = namespace and {@code objsubid = 1}, apart
     * from every singleton's two-int lock ({@code objsubid = 2}).
     */
    private static final String LIVENESS_SQL = "SELECT pg_try_advisory_lock(?), pg_backend_pid(), current_setting('"
            + SESSION_TAG + "', true)";
    /** The low halves of the liveness locks held now, one per live node session. */
    private static final String LIVE_NODES_SQL =
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ExclusiveLock'"
                    + " AND objsubid = 1 AND classid::bigint = ? AND database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database()) ORDER BY 1";
    /**
     * Waits in shared mode for another node's liveness lock (never in conflict with another watcher's wait), and
     * once granted, which means that node's session is gone, lets it go and tells every node, all in one
     * statement: a wait that ends in {@code lock_timeout} rolls back and sends no notice.
     */
    private static final String AWAIT_GONE_SQL = "SELECT pg_advisory_lock_shared(?)::text IS NULL,"
            + " pg_advisory_unlock_shared(?), pg_notify('" + CHANNEL + "', ?)";
    /**
     * Takes, without waiting, every one of the given locks that is free, and if it took any, the fencing token,
     * all in one statement. Order matters and is forced: {@code pre} counts the wanted locks this backend holds
     * already (a pooler's shared backend) before any is taken; {@code got} takes them, only if there are none;
     * the outer row reads the transaction id only after {@code got} is done, so the token is assigned after every
     * grant (and so after the previous holder's release, whose own token was durable before its term began).
     * The token's transaction writes a logical message and commits with {@code synchronous_commit = local}, so that
     * a crash cannot hand its id out again (see {@link #fencingToken()}); a try that takes nothing writes nothing.
     */
    private static final String TRY_LOCKS_SQL = "WITH wanted AS (SELECT unnest(?::int[]) AS k),"
            + " pre AS MATERIALIZED (SELECT count(*) AS already FROM pg_locks l JOIN wanted w"
            + " ON l.objid::bigint = (w.k::bigint & 4294967295) WHERE l.locktype = 'advisory' AND l.granted"
            + " AND l.pid = pg_backend_pid() AND l.objsubid = 2 AND l.classid::bigint = ? AND l.database ="
            + " (SELECT oid FROM pg_database WHERE datname = current_database())),"
            + " got AS MATERIALIZED (SELECT w.k FROM wanted w, pre WHERE CASE WHEN pre.already = 0"
            + " THEN pg_try_advisory_lock(?, w.k) ELSE false END),"
            + " taken AS MATERIALIZED (SELECT string_agg(k::text, ',') AS keys FROM got)"
            + " SELECT pre.already, taken.keys, CASE WHEN taken.keys IS NOT NULL"
            + " AND set_config('synchronous_commit', 'local', true) IS NOT NULL"
            + " AND pg_logical_emit_message(true, 'highlander', '') IS NOT NULL"
            + " THEN pg_current_xact_id()::text::bigint END, pg_backend_pid(), current_setting('"
            + SESSION_TAG + "', true), CASE WHEN taken.keys IS NOT NULL THEN " + TIMELINE + " END FROM pre, taken";
    /** One {@code acquired <key> <token>} notice per key, for {@code highlander.takeover=strict}. */
    private static final String ANNOUNCE_SQL = "SELECT count(pg_notify('" + CHANNEL + "', 'acquired ' || k || ' ' || ?))"
            + " FROM unnest(?::int[]) AS k";
    private static final String UNLOCK_SQL = "SELECT pg_advisory_unlock(?, ?), pg_notify('" + CHANNEL + "', ?),"
            + " pg_backend_pid(), current_setting('" + SESSION_TAG + "', true)";
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final String CANCELLED = "57014";

    private final Connection connection;
    private final String singleton;
    private final Duration standbyInterval;
    private final int originalNetworkTimeout;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final String tag = UUID.randomUUID().toString();
    private ServerInfo server;
    private ClusterIdentity cluster;
    private volatile PreparedStatement running;
    private boolean holding;
    private boolean listening;
    private Notifications notices;

    private LockSession(Connection connection, String singleton, Duration standbyInterval) {
        this.connection = connection;
        this.singleton = singleton;
        this.standbyInterval = standbyInterval;
        this.originalNetworkTimeout = networkTimeout(connection);
    }

    /**
     * Opens and sets up a lock session.
     *
     * @param source          where the connection comes from
     * @param singleton       the singleton it competes for (for messages)
     * @param nodeId          this node's id, published as {@code application_name}
     * @param lease           L
     * @param standbyInterval the longest a blocking wait may last
     * @return the session
     * @throws SQLException if the server cannot be reached or is unsuitable ({@link UnsuitableServerException})
     */
    public static LockSession open(ConnectionSource source, String singleton, String nodeId, Duration lease,
                                   Duration standbyInterval) throws SQLException {
        LockSession session = new LockSession(source.connect(), singleton, standbyInterval);
        Connection connection = session.connection;
        try {
            connection.setAutoCommit(true);
            setNetworkTimeout(connection, lease.plus(standbyInterval));
            session.server = inspect(connection, source.description());
            session.cluster = ClusterIdentity.read(connection, session.server.database());
            try (PreparedStatement setup = connection.prepareStatement(SETUP_SQL)) {
                long keepaliveSeconds = Math.max(1, (lease.toMillis() + 999) / 1000);
                setup.setString(1, APPLICATION_NAME_PREFIX + nodeId);
                setup.setString(2, Long.toString(lease.toMillis()));
                setup.setString(3, Long.toString(lease.toMillis()));
                setup.setString(4, Long.toString(standbyInterval.toMillis()));
                setup.setString(5, Long.toString(keepaliveSeconds));
                setup.setString(6, Long.toString(keepaliveSeconds));
                setup.setString(7, Long.toString(lease.toMillis()));
                setup.setString(8, session.tag);
                try (ResultSet row = setup.executeQuery()) {
                    row.next();
                    session.checkBackend(row.getInt(12));
                    return session;
                }
            }
        } catch (SQLException e) {
            session.abandon();
            throw session.poolerOr(e);
        } catch (RuntimeException e) {
            session.abandon();
            throw e;
        }
    }

    /**
     * Checks that a connection reaches a PostgreSQL 14+ primary.
     *
     * @param connection  an open connection
     * @param description the DataSource's description, for messages
     * @return what the connection reached
     * @throws SQLException if it cannot be checked, or {@link UnsuitableServerException} if it is unsuitable
     */
    public static ServerInfo inspect(Connection connection, String description) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        if (!"PostgreSQL".equals(product)) {
            throw new UnsuitableServerException(Messages.notPostgres(product, description));
        }
        try (PreparedStatement query = connection.prepareStatement(SERVER_SQL);
             ResultSet row = query.executeQuery()) {
            row.next();
            int version = row.getInt(1);
            if (version < MINIMUM_VERSION) {
                throw new UnsuitableServerException(Messages.postgresTooOld(
                        connection.getMetaData().getDatabaseProductVersion(), description));
            }
            if (row.getBoolean(2)) {
                throw new UnsuitableServerException(Messages.serverInRecovery(description));
            }
            return new ServerInfo(version, row.getString(4), row.getInt(3));
        }
    }

    /** @return what this session is connected to */
    public ServerInfo server() {
        return server;
    }

    /** @return which cluster and timeline this session is on, as read at open */
    public ClusterIdentity cluster() {
        return cluster;
    }

    /**
     * Takes the lock if it is free, without waiting. Returns {@code true} at once if this session holds it
     * already.
     *
     * @param key the lock
     * @return whether this session holds it now
     * @throws SQLException if the statement fails, or {@link PoolerDetectedException} if the backend already
     *                      held the lock for another client, or is not this session's
     */
    public boolean tryAcquire(LockKey key) throws SQLException {
        if (holding) {
            return true;
        }
        setNetworkTimeout(connection, standbyInterval.plusSeconds(5));
        try {
            holding = acquire(TRY_LOCK_SQL, key);
        } catch (SQLException e) {
            throw poolerOr(e);
        }
        return holding;
    }

    /**
     * Waits for the lock for at most the standby interval ({@code lock_timeout}). Returns {@code true} at once
     * if this session holds it already.
     *
     * <p>When the wait ends in an error (the timeout, or a {@linkplain #cancel() cancel}) at the instant the
     * lock is granted, PostgreSQL keeps the grant and still raises the error. So after such an error this asks
     * {@code pg_locks} whether the grant stuck: after a timeout the session then holds the lock, and this
     * returns {@code true} as for any other grant; after a cancel it rethrows, and {@link #release} frees the
     * lock that stuck.
     *
     * @param key the lock
     * @return whether this session holds it now
     * @throws SQLException if the statement fails or was {@linkplain #cancel() cancelled}, or
     *                      {@link PoolerDetectedException} as for {@link #tryAcquire}
     */
    public boolean awaitAcquire(LockKey key) throws SQLException {
        if (holding) {
            return true;
        }
        setNetworkTimeout(connection, standbyInterval.multipliedBy(2).plusSeconds(5));
        try {
            holding = acquire(LOCK_SQL, key);
            return holding;
        } catch (PoolerDetectedException e) {
            throw e;
        } catch (SQLException e) {
            if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) && !CANCELLED.equals(e.getSQLState())) {
                throw poolerOr(e);
            }
            holding = heldByThisSession(key);
            if (CANCELLED.equals(e.getSQLState())) {
                throw e;
            }
            return holding;
        }
    }

    private boolean acquire(String sql, LockKey key) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(sql)) {
            lock.setLong(1, key.classId());
            lock.setLong(2, key.objectId());
            lock.setInt(3, key.namespace());
            lock.setInt(4, key.key());
            running = lock;
            try (ResultSet row = lock.executeQuery()) {
                row.next();
                int backend = row.getInt(3);
                if (row.getInt(2) > 0) {
                    throw new PoolerDetectedException(Messages.poolerLockAlreadyHeld(singleton, backend));
                }
                checkBackend(backend);
                checkTag(row.getString(4), backend);
                return row.getBoolean(1);
            }
        } finally {
            running = null;
        }
    }

    /**
     * Reads the fencing token of a new term: a fresh transaction id, which strictly increases across the
     * whole PostgreSQL cluster and, committed durably in the same round trip, survives crashes. Also checks the
     * backend and its session tag did not change since {@link #open}.
     *
     * @return the token
     * @throws SQLException if the statement fails, or {@link PoolerDetectedException}
     */
    public long fencingToken() throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(TOKEN_SQL);
             ResultSet row = query.executeQuery()) {
            row.next();
            checkBackend(row.getInt(2));
            checkTag(row.getString(3), row.getInt(2));
            return FencingToken.compose(FencingToken.timelineOf(row.getString(6)), row.getLong(1));
        } catch (SQLException e) {
            throw poolerOr(e);
        }
    }

    /**
     * Proves to the server that this node is alive, and checks the backend and its session tag did not change.
     *
     * @param timeout how long the round trip may take (the time left on the lease)
     * @throws SQLException if it fails or times out, or {@link PoolerDetectedException}
     */
    public void heartbeat(Duration timeout) throws SQLException {
        setNetworkTimeout(connection, timeout);
        try (PreparedStatement query = connection.prepareStatement(HEARTBEAT_SQL)) {
            running = query;
            try (ResultSet row = query.executeQuery()) {
                row.next();
                checkBackend(row.getInt(1));
                checkTag(row.getString(2), row.getInt(1));
            }
        } catch (SQLException e) {
            throw poolerOr(e);
        } finally {
            running = null;
        }
    }

    /**
     * What {@link #tryAcquireAll} took.
     *
     * @param keys  the keys (second halves of the two-int locks) now held, empty if none
     * @param token the fencing token read after the last grant, or -1 if none was taken
     */
    public record Grab(Set<Integer> keys, long token) {
    }

    /**
     * Takes every one of the given locks that is free, without waiting, and the fencing token if it took any; one
     * round trip. Never asks for a lock this session holds already (the caller's job).
     *
     * @param namespace the locks' first key
     * @param keys      the locks' second keys, distinct
     * @param timeout   how long the round trip may take
     * @return what it took
     * @throws SQLException if it fails, or {@link PoolerDetectedException}
     */
    public Grab tryAcquireAll(int namespace, Collection<Integer> keys, Duration timeout) throws SQLException {
        setNetworkTimeout(connection, timeout);
        try (PreparedStatement query = connection.prepareStatement(TRY_LOCKS_SQL)) {
            query.setArray(1, connection.createArrayOf("int4", keys.toArray()));
            query.setLong(2, Integer.toUnsignedLong(namespace));
            query.setInt(3, namespace);
            running = query;
            try (ResultSet row = query.executeQuery()) {
                row.next();
                int backend = row.getInt(4);
                if (row.getInt(1) > 0) {
                    throw new PoolerDetectedException(Messages.poolerLockAlreadyHeld(singleton, backend));
                }
                checkBackend(backend);
                checkTag(row.getString(5), backend);
                // the keys as text, not an array: a standby's tries take nothing, so the driver's array decoding
                // ran for the first time at its first takeover (try → @PostConstruct 15.7 → 8.5 ms graceful,
                // 10.0 → 4.5 ms crash in the benchmark, idle machine)
                String taken = row.getString(2);
                if (taken == null) {
                    return new Grab(Set.of(), -1);
                }
                Set<Integer> got = new java.util.LinkedHashSet<>();
                for (String key : taken.split(",")) {
                    got.add(Integer.parseInt(key));
                }
                holding = true;
                return new Grab(Set.copyOf(got), FencingToken.compose(FencingToken.timelineOf(row.getString(6)),
                        row.getLong(3)));
            }
        } catch (SQLException e) {
            throw poolerOr(e);
        } finally {
            running = null;
        }
    }

    /**
     * Lets one lock go and tells every listening node, in one statement (the notice is sent when it commits,
     * which is after the unlock).
     *
     * @param key     the lock
     * @param notice  the notice's payload
     * @param timeout how long the round trip may take
     * @return whether this session held the lock
     * @throws SQLException if it fails, or {@link PoolerDetectedException}
     */
    public boolean unlock(LockKey key, String notice, Duration timeout) throws SQLException {
        setNetworkTimeout(connection, timeout);
        try (PreparedStatement query = connection.prepareStatement(UNLOCK_SQL)) {
            query.setInt(1, key.namespace());
            query.setInt(2, key.key());
            query.setString(3, notice);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                checkBackend(row.getInt(3));
                checkTag(row.getString(4), row.getInt(3));
                return row.getBoolean(1);
            }
        } catch (SQLException e) {
            throw poolerOr(e);
        }
    }

    /**
     * Tells every node that this session began terms on {@code keys} with {@code token}; committed before the
     * terms' instances start.
     *
     * @param keys    the keys (second halves)
     * @param token   the terms' token
     * @param timeout how long the round trip may take
     * @throws SQLException if it fails
     */
    public void announce(Collection<Integer> keys, long token, Duration timeout) throws SQLException {
        setNetworkTimeout(connection, timeout);
        try (PreparedStatement query = connection.prepareStatement(ANNOUNCE_SQL)) {
            query.setString(1, Long.toString(token));
            query.setArray(2, connection.createArrayOf("int4", keys.toArray()));
            query.executeQuery().close();
        } catch (SQLException e) {
            throw poolerOr(e);
        }
    }

    /**
     * Takes this node session's liveness lock, without waiting.
     *
     * @param namespace the first half of the key
     * @param random    the second half, random per node session
     * @return whether it took it (false: another live session drew the same number)
     * @throws SQLException if it fails, or {@link PoolerDetectedException}
     */
    public boolean takeLiveness(int namespace, int random) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(LIVENESS_SQL)) {
            query.setLong(1, livenessKey(namespace, random));
            try (ResultSet row = query.executeQuery()) {
                row.next();
                checkBackend(row.getInt(2));
                checkTag(row.getString(3), row.getInt(2));
                holding = holding || row.getBoolean(1);
                return row.getBoolean(1);
            }
        } catch (SQLException e) {
            throw poolerOr(e);
        }
    }

    /**
     * @param namespace the first half of the liveness keys
     * @return the second halves (unsigned) of every live node session's liveness lock, ascending
     * @throws SQLException if it fails
     */
    public List<Long> liveNodes(int namespace) throws SQLException {
        setNetworkTimeout(connection, standbyInterval.plusSeconds(5));
        try (PreparedStatement query = connection.prepareStatement(LIVE_NODES_SQL)) {
            query.setLong(1, Integer.toUnsignedLong(namespace));
            List<Long> live = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    live.add(rows.getLong(1));
                }
            }
            return live;
        }
    }

    /**
     * Waits, at most {@code lock_timeout} (this session's wait bound), until the node session holding a liveness
     * lock is gone, and then tells every node with {@code notice}.
     *
     * @param namespace the first half of the liveness key
     * @param random    its second half
     * @param notice    what to tell every node when it is gone
     * @return whether it is gone (false: the wait timed out)
     * @throws SQLException if it fails or was {@linkplain #cancel() cancelled}
     */
    public boolean awaitGone(int namespace, int random, String notice) throws SQLException {
        setNetworkTimeout(connection, standbyInterval.multipliedBy(2).plusSeconds(5));
        try (PreparedStatement query = connection.prepareStatement(AWAIT_GONE_SQL)) {
            long key = livenessKey(namespace, random);
            query.setLong(1, key);
            query.setLong(2, key);
            query.setString(3, notice);
            running = query;
            query.executeQuery().close();
            return true;
        } catch (SQLException e) {
            running = null;
            if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) && !CANCELLED.equals(e.getSQLState())) {
                throw e;
            }
            // a grant at the instant of the error sticks (the session level outlives the rollback): drop it, so
            // that this session never holds up a liveness lock
            try (PreparedStatement unlock = connection.prepareStatement(UNLOCK_ALL_SQL)) {
                unlock.executeQuery().close();
            }
            if (CANCELLED.equals(e.getSQLState())) {
                throw e;
            }
            return false;
        } finally {
            running = null;
        }
    }

    /**
     * Sends a notice to every listening node.
     *
     * @param payload the notice
     * @throws SQLException if it fails
     */
    public void notify(String payload) throws SQLException {
        setNetworkTimeout(connection, standbyInterval.plusSeconds(5));
        try (PreparedStatement query = connection.prepareStatement(NOTIFY_SQL)) {
            query.setString(1, payload);
            query.executeQuery().close();
        }
    }

    /**
     * Listens on {@link #CHANNEL} if this connection can wait for notices in a socket read
     * ({@link #canAwaitNotices()}).
     *
     * @return whether it listens
     * @throws SQLException if it fails
     */
    public boolean listen() throws SQLException {
        notices = Notifications.of(connection).orElse(null);
        if (notices == null) {
            return false; // nobody could read the notices: pgjdbc would keep every one in memory
        }
        try (PreparedStatement query = connection.prepareStatement(LISTEN_SQL)) {
            listening = true;
            query.execute();
        }
        return true;
    }

    /** @return whether this session was released or abandoned */
    public boolean ended() {
        return ended.get();
    }

    /** @return whether {@link #awaitNotices} waits in a socket read (pgjdbc reached through {@code unwrap}) */
    public boolean canAwaitNotices() {
        return notices != null;
    }

    /**
     * Waits in a socket read, sending nothing, for notices on {@link #CHANNEL}; the server ending the session
     * (terminated, restarted, idle timeout) ends the wait at once with an error.
     *
     * @param millis at most this long, at least 1
     * @return the notices' payloads, empty if none came
     * @throws SQLException if the session is gone
     * @throws IllegalStateException if {@link #canAwaitNotices()} is false
     */
    public List<String> awaitNotices(int millis) throws SQLException {
        if (notices == null) {
            throw new IllegalStateException("no socket wait on this connection");
        }
        return notices.await(Math.max(1, millis));
    }

    /** @return a liveness lock's bigint key */
    static long livenessKey(int namespace, int random) {
        return ((long) namespace << 32) | Integer.toUnsignedLong(random);
    }

    /**
     * Who holds a lock, as {@code pg_locks} shows it.
     *
     * @param key the lock
     * @return the holding session, if any session holds it
     * @throws SQLException if the statement fails
     */
    public Optional<LockHolder> holderOf(LockKey key) throws SQLException {
        return holderOf(connection, key);
    }

    /**
     * Who holds each of several locks, in one statement.
     *
     * @param namespace the locks' first key
     * @param keys      their second keys
     * @return the holding session of each key that is held
     * @throws SQLException if the statement fails
     */
    public java.util.Map<Integer, LockHolder> holdersOf(int namespace, Collection<Integer> keys) throws SQLException {
        setNetworkTimeout(connection, standbyInterval.plusSeconds(5));
        try (PreparedStatement query = connection.prepareStatement(HOLDERS_SQL)) {
            query.setLong(1, Integer.toUnsignedLong(namespace));
            query.setArray(2, connection.createArrayOf("int8",
                    keys.stream().map(Integer::toUnsignedLong).toArray()));
            java.util.Map<Integer, LockHolder> holders = new java.util.HashMap<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    holders.put((int) rows.getLong(1), new LockHolder(rows.getInt(2), rows.getString(3)));
                }
            }
            return holders;
        }
    }

    /**
     * {@link #holderOf(LockKey)} on any connection to the same database.
     *
     * @param connection an open connection
     * @param key        the lock
     * @return the holding session, if any
     * @throws SQLException if the statement fails
     */
    public static Optional<LockHolder> holderOf(Connection connection, LockKey key) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(HOLDER_SQL)) {
            query.setLong(1, key.classId());
            query.setLong(2, key.objectId());
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(new LockHolder(row.getInt(1), row.getString(2))) : Optional.empty();
            }
        }
    }

    /**
     * Releases the lock, undoes the session settings, restores the connection's network timeout and closes the
     * connection (back to its pool). If anything fails, the session is {@linkplain #abandon() abandoned}
     * instead, so that no pool ever gets back a connection that holds a lock or our settings.
     *
     * <p>It releases with {@code pg_advisory_unlock_all()}, whatever this session believes it holds: a grant
     * that stuck to a wait that ended in an error, or a lock taken twice (advisory locks count), would survive a
     * single {@code pg_advisory_unlock}. That frees any other session-level advisory lock on the connection too;
     * the connection is Highlander's for as long as the session lasts, so any such lock was left behind by an
     * earlier borrower, and a pool should not hand it on either.
     *
     * @param key the lock (kept for symmetry with the acquiring methods; every advisory lock is released)
     */
    public void release(LockKey key) {
        if (!ended.compareAndSet(false, true)) {
            return; // abandoned already; and once it is released, a late abandon() must not touch the handle
        }
        try {
            setNetworkTimeout(connection, Duration.ofSeconds(5));
            // every advisory lock of the session, whatever count: a grant that stuck to a failed wait, a
            // re-entrant acquire; a connection must never go back to its pool holding one
            try (PreparedStatement unlock = connection.prepareStatement(UNLOCK_ALL_SQL)) {
                unlock.executeQuery().close();
            }
            holding = false;
            resetAndClose();
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> singleton + ": clean release failed, abandoning the connection", e);
            end();
        }
    }

    /**
     * Ends the session without a clean release; safe from any thread, idempotent. Aborts the physical connection
     * (which ends the backend, and so frees the lock) and then closes the pool's handle, which gives the pool its
     * slot back: a pool frees the slot of an aborted connection only when its handle is closed.
     *
     * <p>Where the handle does not support {@code abort}, a plain {@code close()} would hand the pool a
     * connection that may still hold the lock. Instead: abort the driver's connection underneath, if the handle
     * {@linkplain Connection#unwrap unwraps} to one; else, if no statement is in flight, unlock, reset and
     * restore as {@link #release} does and only then close; else leave the handle open and say so once
     * ({@code HL-0314}): the server ends the idle session after L, which frees the lock, and the slot stays lost.
     */
    public void abandon() {
        if (ended.compareAndSet(false, true)) {
            end();
        }
    }

    private void end() {
        holding = false;
        if (abort(connection) || abortUnderneath(connection)) {
            closeQuietly(connection);
            return;
        }
        if (running == null) {
            try {
                setNetworkTimeout(connection, Duration.ofSeconds(5));
                try (PreparedStatement unlock = connection.prepareStatement(UNLOCK_ALL_SQL)) {
                    unlock.executeQuery().close();
                }
                resetAndClose();
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> singleton + ": clean-up of an unabortable connection failed", e);
            }
        }
        LOG.log(System.Logger.Level.WARNING, Messages.connectionLeftOpen(singleton));
    }

    /** Cancels a statement in flight (a blocking wait); safe from any thread. */
    public void cancel() {
        PreparedStatement statement = running;
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException | RuntimeException e) {
                abandon();
            }
        }
    }

    /** Same as {@link #abandon()}: a session that was not {@linkplain #release released} is not clean. */
    @Override
    public void close() {
        abandon();
    }

    private void resetAndClose() throws SQLException {
        if (listening) {
            try (PreparedStatement unlisten = connection.prepareStatement(UNLISTEN_SQL)) {
                unlisten.execute();
            }
            listening = false;
        }
        try (PreparedStatement reset = connection.prepareStatement(RESET_SQL)) {
            reset.executeQuery().close();
        }
        if (originalNetworkTimeout >= 0) {
            // pools like IronJacamar hand the connection out again as it is: with our short socket timeout, the
            // application's next long query would fail
            setNetworkTimeout(connection, originalNetworkTimeout); // often 0: none
        }
        connection.close();
    }

    private boolean heldByThisSession(LockKey key) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(HELD_SQL)) {
            query.setLong(1, key.classId());
            query.setLong(2, key.objectId());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1) > 0;
            }
        }
    }

    private void checkBackend(int pid) throws PoolerDetectedException {
        if (pid != server.backendPid()) {
            throw new PoolerDetectedException(Messages.poolerDetected(singleton, server.backendPid(), pid));
        }
    }

    /** Another client's statements ran in this backend since open: it set its own tag. */
    private void checkTag(String found, int backend) throws PoolerDetectedException {
        if (!tag.equals(found)) {
            throw new PoolerDetectedException(Messages.poolerSessionTagChanged(singleton, backend));
        }
    }

    /** @return the failure as a {@link PoolerDetectedException} if it is one a transaction pooler causes */
    private SQLException poolerOr(SQLException failure) {
        if (failure instanceof PoolerDetectedException || !POOLER_STATES.contains(failure.getSQLState())) {
            return failure;
        }
        PoolerDetectedException detected = new PoolerDetectedException(
                Messages.poolerErrorState(singleton, failure.getSQLState(), failure.getMessage()));
        detected.initCause(failure);
        return detected;
    }

    private static void setNetworkTimeout(Connection connection, Duration timeout) throws SQLException {
        // at least 1 ms: 0 would mean no timeout at all
        setNetworkTimeout(connection, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    }

    private static void setNetworkTimeout(Connection connection, int millis) throws SQLException {
        try {
            connection.setNetworkTimeout(DIRECT, millis);
        } catch (SQLFeatureNotSupportedException | AbstractMethodError e) {
            // The election's lease watchdog aborts the connection at the deadline anyway.
        }
    }

    /** @return the connection's network timeout in ms, or -1 if it cannot say */
    private static int networkTimeout(Connection connection) {
        try {
            return connection.getNetworkTimeout();
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return -1;
        }
    }

    /** @return whether the physical connection is gone now (aborted, or closed before) */
    private static boolean abort(Connection connection) {
        try {
            connection.abort(DIRECT);
            return true;
        } catch (SQLFeatureNotSupportedException | UnsupportedOperationException | AbstractMethodError e) {
            return false;
        } catch (SQLException | RuntimeException e) {
            return isClosed(connection);
        }
    }

    /** Aborts the driver's connection under a pool's handle, if the handle gives it away. */
    private static boolean abortUnderneath(Connection handle) {
        try {
            Connection driver = handle.unwrap(Connection.class);
            return driver != null && driver != handle && abort(driver);
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return false;
        }
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // a pool may complain about closing an aborted connection; it frees the slot all the same
        }
    }
}
