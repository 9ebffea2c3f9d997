package io.highlander.cdi.internal.lock;

/**
 * Every SQL statement Highlander sends, in one place, each with why it reads as it does. All are constant text
 * with bind parameters. A statement whose result the pooler guard checks ({@link LockSession}'s one statement
 * path) ends its select list with {@link #VERIFY}: the backend PID and the session tag.
 */
final class Sql {

    /** A custom setting of ours, set to a random value at open, read back by every statement that matters. */
    static final String SESSION_TAG = "highlander.session_tag";
    /** The last two columns of every verified statement: a different backend or tag means a transaction pooler. */
    static final String VERIFY = "pg_backend_pid(), current_setting('" + SESSION_TAG + "', true)";
    /** The one channel every node listens on. */
    static final String CHANNEL = "highlander";

    static final String SERVER =
            "SELECT current_setting('server_version_num')::int, pg_is_in_recovery(), pg_backend_pid(),"
                    + " coalesce(host(inet_server_addr()) || ':' || inet_server_port(), 'local') || '/' || current_database()";
    /**
     * The current WAL file's name, whose first eight hex digits are the server's timeline (the high half of a
     * {@link FencingToken}); any role may call both functions, and on a server in recovery they fail, which is what
     * a takeover wants.
     */
    static final String WAL_FILE = "pg_walfile_name(pg_current_wal_lsn())";
    /**
     * The common part of the setup statements: the session settings, in one statement, whatever the role, database,
     * server or pool said before; and which cluster and timeline the session is on ({@link ClusterIdentity}) in the
     * same round trip, because opening a session is on the way to every takeover after a failover. Columns: the
     * settings, the WAL file name (its timeline), the cluster's system identifier, and {@link #VERIFY}.
     */
    static final String SETUP = "SELECT set_config('application_name', ?, false), set_config('idle_session_timeout', ?, false),"
            + " set_config('idle_in_transaction_session_timeout', ?, false), set_config('lock_timeout', ?, false),"
            + " set_config('tcp_keepalives_idle', ?, false), set_config('tcp_keepalives_interval', ?, false),"
            + " set_config('tcp_user_timeout', ?, false), set_config('statement_timeout', '0', false),"
            + " set_config('client_connection_check_interval', '1000', false),"
            + " set_config('synchronous_commit', 'local', false),"
            + " set_config('" + SESSION_TAG + "', ?, false), " + WAL_FILE + ", ";
    /** {@link #SETUP} where any role may call {@code pg_control_system()} (PostgreSQL 14 and 15 grant it to all). */
    static final String SETUP_IDENTIFIED = SETUP + "(SELECT system_identifier FROM pg_control_system()), " + VERIFY;
    /**
     * {@link #SETUP} where a server revoked {@code pg_control_system()} from the role: the identifier stays unknown,
     * and tokens are guarded by the node's memory alone (docs/design/tokens.md §3).
     */
    static final String SETUP_UNIDENTIFIED = SETUP + "NULL::bigint, " + VERIFY;
    /** Every setting back to what the pool handed out ({@code pg_settings.reset_val}), and the tag cleared. */
    static final String RESET =
            "SELECT set_config(name, reset_val, false) FROM pg_settings WHERE name IN ('application_name',"
                    + " 'idle_session_timeout', 'idle_in_transaction_session_timeout', 'lock_timeout',"
                    + " 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_user_timeout', 'statement_timeout',"
                    + " 'client_connection_check_interval', 'synchronous_commit')"
                    + " UNION ALL SELECT set_config('" + SESSION_TAG + "', '', false)";
    /**
     * Every advisory lock of the session, whatever the count: a grant that stuck to a wait that ended in an error,
     * a lock taken twice; a connection must never go back to its pool holding one.
     */
    static final String UNLOCK_ALL = "SELECT pg_advisory_unlock_all()";
    /**
     * The settings that size PostgreSQL's shared lock table ({@link LockTable}), read after a statement found it
     * full: {@code current_setting} takes no lock, so it runs while the table has no room.
     */
    static final String LOCK_TABLE = "SELECT current_setting('max_locks_per_transaction')::int,"
            + " current_setting('max_connections')::int, current_setting('max_prepared_transactions')::int";
    static final String HEARTBEAT = "SELECT " + VERIFY;
    static final String LISTEN = "LISTEN " + CHANNEL;
    static final String UNLISTEN = "UNLISTEN *";

    /**
     * Every notice is a hint (the safety net covers a lost one), so none may fail a statement: a full queue makes
     * {@code pg_notify} fail the commit, which would abort the statement it rides on. Half full, the hints are
     * skipped. The cluster-wide queue fills only when a listening session stays in a transaction; 8 GB by default,
     * so half is far from normal use.
     */
    static final String QUEUE_ROOM = "pg_notification_queue_usage() < 0.5";
    /**
     * The column that makes a hint's commit asynchronous: {@code pg_notify} assigns the statement's transaction an id,
     * so its commit writes a commit record, and under the session's {@code synchronous_commit = local} it would wait
     * for that record's flush to the local disk, one fsync per hop of a hand-over. A hint needs no durability: the
     * statements that carry one change nothing a crash could keep (advisory locks and the notification queue are
     * gone after a crash anyway), their transaction ids are never tokens, and every token's own commit is flushed
     * ({@link #TAKE_OVER}), which also flushes every earlier record; so a hint's id lost in a crash and handed out
     * again stays below no token (docs/design/election.md, rule N5). Transaction-local: the commit reads it, and it
     * is undone right after. The notice itself is delivered at the commit, flushed or not.
     */
    static final String HINT_COMMIT = "set_config('synchronous_commit', 'off', true) IS NOT NULL";
    /**
     * A hint; the first column says it was skipped, the second how full the queue is (for HL-0434), the third
     * {@link #HINT_COMMIT}.
     */
    static final String NOTIFY = "SELECT CASE WHEN " + QUEUE_ROOM + " THEN pg_notify('" + CHANNEL
            + "', ?) END IS NULL, pg_notification_queue_usage(), " + HINT_COMMIT;

    /**
     * A node's liveness lock: a bigint key whose high half is the namespace and whose low half is random per node
     * session, so that {@code pg_locks} shows it with {@code classid} = namespace and {@code objsubid = 1}, apart
     * from every singleton's two-int lock ({@code objsubid = 2}).
     */
    static final String TAKE_LIVENESS = "SELECT pg_try_advisory_lock(?), " + VERIFY;
    /** The low halves of the liveness locks held now, one per live node session, with the holding backends. */
    static final String LIVE_NODES =
            "SELECT objid::bigint, pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ExclusiveLock'"
                    + " AND objsubid = 1 AND classid::bigint = ? AND database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database()) ORDER BY 1";
    /** Who holds each of several singletons' locks, in one statement. */
    static final String HOLDERS =
            "SELECT l.objid::bigint, l.pid, a.application_name FROM pg_locks l LEFT JOIN pg_stat_activity a"
                    + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid"
                    + " FROM pg_database WHERE datname = current_database()) AND l.classid::bigint = ?"
                    + " AND l.objsubid = 2 AND l.objid::bigint = ANY(?::bigint[])";

    /**
     * {@link FencingToken}'s arithmetic on {@code xid}, {@code wal} and the floor {@code f}: {@code f + (timeline <<
     * 44 | xid)}, or null where {@link FencingToken#compose} or {@link FencingToken#aboveFloor} would refuse.
     */
    static final String TERM = "CASE WHEN xid BETWEEN 0 AND " + FencingToken.MAX_TRANSACTION_ID
            + " AND ('x' || substr(wal, 1, 8))::bit(32)::bigint BETWEEN 1 AND " + FencingToken.MAX_TIMELINE
            + " AND f <= " + Long.MAX_VALUE + " - (('x' || substr(wal, 1, 8))::bit(32)::bigint << "
            + FencingToken.TRANSACTION_BITS + " | xid) THEN f + (('x' || substr(wal, 1, 8))::bit(32)::bigint << "
            + FencingToken.TRANSACTION_BITS + " | xid) END";
    /**
     * The takeover: takes, without waiting, every one of the given locks that is free, and if it took any, the
     * fencing token and one {@code acquired} notice per key, all in one statement. Order matters and is forced:
     * {@code pre} counts the wanted locks this backend holds already (a pooler's shared backend: a session of ours
     * never asks for a lock it holds, and taking it again would only make another client's lock ours too) before
     * any is taken; {@code got} takes them, only if there are none; the outer row reads the transaction id only
     * after {@code got} is done, so the token is assigned after every grant (and so after the previous holder's
     * release, whose own token was durable before its term began).
     *
     * <p>The token is {@code highlander.token-floor} plus the server's timeline above a transaction id
     * ({@link FencingToken}, whose arithmetic {@link #TERM} repeats, because the notices carry the token and are
     * sent from inside the statement). Only a transaction whose commit record reached the disk cannot hand its id out
     * again after a crash. Reading an id writes no WAL of its own, so PostgreSQL commits such a transaction
     * asynchronously even with {@code synchronous_commit = on}; the transactional logical message makes it a writing
     * transaction, and the transaction-local {@code synchronous_commit = local} makes its commit wait for the local
     * flush, and for no replica, even where the role or server turned it off: a synchronous standby that is down
     * cannot keep this session, with every lock it took, in {@code SyncRep} (PG-SEMANTICS §10). A promoted replica or
     * a restored backup may lack that commit: the timeline, read in the same statement, orders the tokens then
     * (docs/design/tokens.md). Any role may call all three functions. A try that takes nothing writes nothing.
     *
     * <p>Every term announces itself, in every mode, from the statement that took it: delivered at its commit and
     * only if it commits. Under strict takeover the other nodes' judgement rests on it, so it is sent even into a
     * full queue (then the commit fails, and no term begins); in fast mode it is a hint ({@link #QUEUE_ROOM}).
     *
     * <p>The fence's barrier rides on it (docs/design/fencing.md F6): {@code taken} tries, for each key {@code got}
     * took, the key's companion lock ({@code FenceKey}) exclusively at transaction level, so it is let go at the
     * statement's commit. Each try reads its row of {@code got}, which exists only once that key's grant was made:
     * the companion is tried after the singleton's lock is held, the order fencing.md F4 needs. A companion that was
     * busy (a fenced transaction of an earlier term is still open) is named in the column {@code busy}; only such
     * a key's term waits at the blocking barrier. While the statement runs it holds two lock-table entries per key it
     * took; the second goes at its commit.
     *
     * <p>A timeline or transaction id beyond a token's bits, or a floor that would overflow it, gives no token and
     * sends no notice; the caller composes the token from the timeline and the id as well and refuses the grab
     * with its reason ({@link FencingToken#compose}).
     *
     * <p>Parameters: the keys ({@code int[]}), the token floor (bigint), the namespace as bigint (for
     * {@code pg_locks}) and as int (for the lock), the companion locks' namespace (int), whether the notice is
     * mandatory, the notice's payload up to the key ({@code Notice.Acquired.prefix}). Columns: how many were held
     * already, the keys taken (text, comma-separated), the token (null if out of range), the transaction id, the WAL
     * file name (its timeline), the keys taken whose companion was busy (text, comma-separated, null if none), the
     * notices sent, and {@link #VERIFY}.
     */
    static final String TAKE_OVER = "WITH wanted AS (SELECT unnest(?::int[]) AS k),"
            + " tokenfloor AS (SELECT ?::bigint AS f),"
            + " pre AS MATERIALIZED (SELECT count(*) AS already FROM pg_locks l JOIN wanted w"
            + " ON l.objid::bigint = (w.k::bigint & 4294967295) WHERE l.locktype = 'advisory' AND l.granted"
            + " AND l.pid = pg_backend_pid() AND l.objsubid = 2 AND l.classid::bigint = ? AND l.database ="
            + " (SELECT oid FROM pg_database WHERE datname = current_database())),"
            + " got AS MATERIALIZED (SELECT w.k FROM wanted w, pre WHERE CASE WHEN pre.already = 0"
            + " THEN pg_try_advisory_lock(?, w.k) ELSE false END),"
            + " taken AS MATERIALIZED (SELECT string_agg(k::text, ',') AS keys, string_agg(CASE WHEN"
            + " pg_try_advisory_xact_lock(?, k) THEN NULL ELSE k::text END, ',') AS busy FROM got),"
            + " xact AS MATERIALIZED (SELECT taken.keys, taken.busy, CASE WHEN taken.keys IS NOT NULL"
            + " AND set_config('synchronous_commit', 'local', true) IS NOT NULL"
            + " AND pg_logical_emit_message(true, 'highlander', '') IS NOT NULL"
            + " THEN pg_current_xact_id()::text::bigint END AS xid,"
            + " CASE WHEN taken.keys IS NOT NULL THEN " + WAL_FILE + " END AS wal FROM taken),"
            + " term AS MATERIALIZED (SELECT xact.*, " + TERM + " AS token FROM xact, tokenfloor)"
            + " SELECT pre.already, term.keys, term.token, term.xid, term.wal, term.busy,"
            + " CASE WHEN term.token IS NOT NULL AND (? OR " + QUEUE_ROOM + ") THEN (SELECT"
            + " count(pg_notify('" + CHANNEL + "', ? || (g.k::bigint & 4294967295) || ' ' || term.token))"
            + " FROM got g) END, " + VERIFY + " FROM pre, term";

    /**
     * Lets one lock go and tells every node, in one statement; the notice is sent when it commits, which is after
     * the unlock, and only while the queue has room ({@link #QUEUE_ROOM}); the commit does not wait for a flush
     * ({@link #HINT_COMMIT}).
     */
    static final String UNLOCK = "SELECT pg_advisory_unlock(?, ?), CASE WHEN " + QUEUE_ROOM + " THEN pg_notify('"
            + CHANNEL + "', ?) END IS NULL, " + HINT_COMMIT + ", " + VERIFY;

    /**
     * Waits in shared mode for another node's liveness lock (never in conflict with another watcher's wait), and
     * once granted, which means that node's session is gone, lets it go and tells every node, all in one statement;
     * the commit does not wait for a flush ({@link #HINT_COMMIT}).
     */
    static final String AWAIT_GONE = "SELECT pg_advisory_lock_shared(?)::text IS NULL,"
            + " pg_advisory_unlock_shared(?), CASE WHEN " + QUEUE_ROOM + " THEN pg_notify('" + CHANNEL + "', ?) END, "
            + HINT_COMMIT;
    /**
     * After a wait ended in an error: whether its grant stuck to the session (the session level outlives the
     * rollback, while the statement's notice was rolled back); if so it is let go here, and then every other advisory
     * lock of the session, in the same round trip (the outer select reads the materialized drop first). One
     * statement, not two: it sits on the way of every wake of a node that reads its socket (issue 22).
     */
    static final String DROP_STUCK_GRANT = "WITH dropped AS MATERIALIZED (SELECT pg_advisory_unlock_shared(?) AS stuck)"
            + " SELECT dropped.stuck, pg_advisory_unlock_all() FROM dropped";

    private Sql() {
    }
}
