package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.threads.CancelThreads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection with Highlander's session settings, and its hygiene: a node session (every advisory lock the
 * node wins, its liveness lock, {@code LISTEN}; see {@link NodeSessionStatements}) or a node's watcher
 * ({@link WatcherSessionStatements}). Every statement goes through one path ({@code verified}/{@code run}): the
 * connection's network timeout set only when it changes, a cancel able to reach it, the pooler guard (backend PID
 * and session tag) checked once per statement, a pooler's errors recognised. The SQL text is in {@link Sql}.
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
 *       {@code tcp_user_timeout} = 2L in ms (why 2L: {@link Lease}): a lower value (of the role, the database or the server) would let
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
 *   <li>{@code highlander.session_tag} = a random UUID, read back by every verified statement: a
 *       different value means another client's statements ran in this backend (a transaction pooler).</li>
 *   <li>{@code synchronous_commit} = {@code local}: a commit of ours that writes WAL (the takeover's, or any added
 *       later) waits for the local flush and never for a replica, so a synchronous standby that is down cannot hold
 *       this session, and every lock it holds, in {@code SyncRep} for ever (PG-SEMANTICS §10); the token's order
 *       across failovers comes from the timeline ({@link FencingToken}), not from replication. The takeover
 *       statement sets it again for its own transaction ({@link Sql#TAKE_OVER}).</li>
 * </ul>
 * On the client side each round trip has a deadline ({@link StatementDeadline}): past it, a cancel request goes to
 * the server first and the connection is abandoned after, because a backend that waits where it does not look at its
 * client (a commit in {@code SyncRep}) keeps the session's locks until it is cancelled. The connection's network
 * timeout, {@link #DEADLINE_GRACE} later, is the backstop. A cancel request never runs on the caller's thread: it
 * opens a connection of its own to the server, which costs up to the driver's {@code cancelSignalTimeout} when the
 * server has gone silent, and the node's lock thread must not wait for that (a session it had just opened elsewhere
 * would meanwhile be ended by the server's {@code idle_session_timeout}).
 *
 * <p>{@link #release} unlocks every advisory lock of the session, sets each setting back to
 * {@code pg_settings.reset_val} (the value the connection had from the server, database, role and connection
 * options, i.e. what the pool handed out), clears the tag, restores the network timeout read at open, and only
 * then closes the connection; any failure there {@linkplain #abandon() abandons} it instead.
 */
public final class LockSession implements AutoCloseable {

    /** The prefix of our sessions' {@code application_name}, followed by the node id. */
    public static final String APPLICATION_NAME_PREFIX = "highlander:";
    /** The one channel every node listens on. */
    public static final String CHANNEL = Sql.CHANNEL;

    private static final System.Logger LOG = System.getLogger(LockSession.class.getName());
    private static final Executor DIRECT = Runnable::run;
    /**
     * How much later than a statement's deadline the network timeout fires: time for the cancel request to reach the
     * server and for its answer to come back, so that a statement that can be cancelled is, before pgjdbc closes the
     * socket (after which no cancel request can be sent through it).
     */
    static final Duration DEADLINE_GRACE = Duration.ofSeconds(1);
    /** Where cancel requests and the abandon after a deadline run: never the caller's thread. */
    private static final Executor CANCELS = CancelThreads.EACH_ON_ITS_OWN;
    private static final int MINIMUM_VERSION = 140000;
    /**
     * How long a connection that has no network timeout of its own (the deployment's check) waits for the answer to
     * its first statement: a pooler in session mode with no free server connection holds the statement in its queue
     * (pgbouncer's {@code query_wait_timeout}, 120 s by default), and PostgreSQL answers that statement in
     * milliseconds.
     */
    static final Duration FIRST_ANSWER = Duration.ofSeconds(10);
    /**
     * What a transaction pooler gives a driver that uses server-side prepared statements (pgjdbc does from a
     * statement's 5th use): the statement name is taken on the shared backend (42P05, seen with pgbouncer 1.18)
     * or missing on the backend the statement now lands on (26000).
     */
    private static final Set<String> POOLER_STATES = Set.of("42P05", "26000");
    /**
     * PostgreSQL's {@code out of shared memory}; with the hint to raise {@code max_locks_per_transaction} (a setting's
     * name, never translated), the shared lock table is full: {@link LockTableFullException}.
     */
    private static final String OUT_OF_SHARED_MEMORY = "53200";
    /** A role that may not call {@code pg_control_system()}: the cluster's identifier stays unknown. */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    /** Binds a statement's parameters. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Reads a statement's result; a verified statement's last two columns are read by the guard. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private final Connection connection;
    private final String owner;
    private final Duration standbyInterval;
    private final int originalNetworkTimeout;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Whether a cancel request of {@link #cancel()} is on its way: a second one meanwhile would only queue behind it. */
    private final AtomicBoolean cancelling = new AtomicBoolean();
    private final String tag = UUID.randomUUID().toString();
    private ServerInfo server;
    private ClusterIdentity cluster;
    private volatile PreparedStatement running;
    private boolean listening;
    private int networkTimeoutMillis = -1;

    private LockSession(Connection connection, String owner, Duration standbyInterval) {
        this.connection = connection;
        this.owner = owner;
        this.standbyInterval = standbyInterval;
        this.originalNetworkTimeout = networkTimeout(connection);
    }

    /**
     * Opens and sets up a lock session.
     *
     * @param source          where the connection comes from
     * @param owner           whose connection it is (a singleton's name or a node's), for messages
     * @param nodeId          this node's id, published as {@code application_name}
     * @param lease           L
     * @param standbyInterval the longest a blocking wait may last ({@code lock_timeout})
     * @return the session
     * @throws SQLException if the server cannot be reached or is unsuitable ({@link UnsuitableServerException})
     */
    public static LockSession open(ConnectionSource source, String owner, String nodeId, Duration lease,
                                   Duration standbyInterval) throws SQLException {
        LockSession session = new LockSession(source.connect(), owner, standbyInterval);
        Connection connection = session.connection;
        try {
            connection.setAutoCommit(true);
            session.timeout(lease.plus(standbyInterval));
            session.server = inspect(connection, source.description());
            try {
                session.cluster = session.setUp(Sql.SETUP_IDENTIFIED, nodeId, lease, standbyInterval);
            } catch (SQLException e) {
                if (!INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    throw e;
                }
                // the failed statement set nothing (it rolled back): again, without the identifier
                session.cluster = session.setUp(Sql.SETUP_UNIDENTIFIED, nodeId, lease, standbyInterval);
            }
            return session;
        } catch (SQLException | RuntimeException e) {
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
        int ownTimeout = networkTimeout(connection);
        if (ownTimeout == 0) {
            setNetworkTimeout(connection, (int) FIRST_ANSWER.toMillis());
        }
        try (PreparedStatement query = connection.prepareStatement(Sql.SERVER);
             ResultSet row = query.executeQuery()) {
            if (ownTimeout == 0) {
                setNetworkTimeout(connection, 0); // the pool's connection as it was
            }
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
        } catch (SQLException e) {
            throw unansweredOr(e, description, ownTimeout > 0 ? Duration.ofMillis(ownTimeout) : FIRST_ANSWER);
        }
    }

    /**
     * @return HL-0361 if the first statement timed out in the socket read (no answer at all), else the failure as it
     *         was; the state stays the driver's (08xxx), so the caller treats it as a server that is not reachable
     */
    private static SQLException unansweredOr(SQLException failure, String description, Duration waited) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.SocketTimeoutException) {
                return new SQLException(Messages.firstStatementUnanswered(description, waited),
                        failure.getSQLState(), failure);
            }
        }
        return failure;
    }

    /** @return what this session is connected to */
    public ServerInfo server() {
        return server;
    }

    /** @return which cluster and timeline this session is on, as read at open */
    public ClusterIdentity cluster() {
        return cluster;
    }

    /** Sets the session up ({@link Sql#SETUP}) and reads which cluster and timeline it is on, in one round trip. */
    private ClusterIdentity setUp(String sql, String nodeId, Duration lease, Duration standbyInterval)
            throws SQLException {
        long keepaliveSeconds = Math.max(1, (lease.toMillis() + 999) / 1000);
        return verified(sql, lease.plus(standbyInterval), setup -> {
            setup.setString(1, APPLICATION_NAME_PREFIX + nodeId);
            setup.setString(2, Long.toString(lease.toMillis()));
            setup.setString(3, Long.toString(lease.toMillis()));
            setup.setString(4, Long.toString(standbyInterval.toMillis()));
            setup.setString(5, Long.toString(keepaliveSeconds));
            setup.setString(6, Long.toString(keepaliveSeconds));
            setup.setString(7, Long.toString(lease.multipliedBy(2).toMillis())); // 2L once it listens: Lease
            setup.setString(8, tag);
        }, row -> {
            int columns = row.getMetaData().getColumnCount(); // ..., WAL file, identifier, VERIFY's two
            long identifier = row.getLong(columns - 2);
            return new ClusterIdentity(server.database(), row.wasNull() ? OptionalLong.empty()
                    : OptionalLong.of(identifier), FencingToken.timelineOf(row.getString(columns - 3)));
        });
    }

    /** @return whose connection this is, for messages */
    String owner() {
        return owner;
    }

    /** @return the longest a blocking wait may last: the bound of the round trips that are not the lease's */
    Duration standbyInterval() {
        return standbyInterval;
    }

    /** @return the driver's connection, for {@link Notifications} and {@code createArrayOf} only */
    Connection connection() {
        return connection;
    }

    // ---- the one statement path ----

    /**
     * Runs one statement whose one row ends with {@link Sql#VERIFY}: the backend and the tag are checked, once,
     * here; a pooler's typical errors become {@link PoolerDetectedException}.
     *
     * @param sql     the statement
     * @param timeout how long the round trip may take (the connection's network timeout)
     * @param bind    binds its parameters
     * @param read    reads its row (before the guard's two columns)
     * @param <T>     what it reads
     * @return what it read
     * @throws SQLException if it fails, or {@link PoolerDetectedException}
     */
    <T> T verified(String sql, Duration timeout, Binder bind, Reader<T> read) throws SQLException {
        return run(sql, timeout, bind, rows -> {
            rows.next();
            int columns = rows.getMetaData().getColumnCount();
            int backend = rows.getInt(columns - 1);
            T result = read.read(rows);
            verify(backend, rows.getString(columns));
            return result;
        });
    }

    /**
     * Runs one statement (a cancel from another thread reaches it); a pooler's typical errors become
     * {@link PoolerDetectedException}.
     *
     * @param sql     the statement
     * @param timeout how long the round trip may take
     * @param bind    binds its parameters
     * @param read    reads its rows
     * @param <T>     what it reads
     * @return what it read
     * @throws SQLException if it fails, or {@link PoolerDetectedException}
     */
    <T> T run(String sql, Duration timeout, Binder bind, Reader<T> read) throws SQLException {
        timeout(timeout.plus(DEADLINE_GRACE));
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind.bind(statement);
            running = statement;
            StatementDeadline deadline = StatementDeadline.arm(timeout, () -> expire(statement), CANCELS);
            try {
                T result = execute(statement, read);
                if (!deadline.disarm()) {
                    throw timedOut(timeout, null); // answered as the deadline fired: the session is being ended
                }
                return result;
            } catch (SQLException e) {
                if (!deadline.disarm()) {
                    throw timedOut(timeout, e);
                }
                throw e;
            } finally {
                deadline.disarm();
            }
        } catch (SQLException e) {
            throw lockTableOr(poolerOr(e));
        } finally {
            running = null;
        }
    }

    private static <T> T execute(PreparedStatement statement, Reader<T> read) throws SQLException {
        if (!statement.execute()) {
            return read.read(null);
        }
        try (ResultSet rows = statement.getResultSet()) {
            return read.read(rows);
        }
    }

    /** A statement past its deadline: the session ends, with a cancel request for the statement first. */
    private void expire(PreparedStatement statement) {
        if (ended.compareAndSet(false, true)) {
            cancelQuietly(statement);
            end(true);
        }
    }

    private SQLException timedOut(Duration timeout, SQLException cause) {
        return new SQLException(Messages.statementPastDeadline(owner, timeout.toMillis()), "08006", cause);
    }

    /** Listens on {@link #CHANNEL}; {@link #release} unlistens. */
    void listen() throws SQLException {
        listening = true;
        run(Sql.LISTEN, standbyInterval.plusSeconds(5), statement -> { }, rows -> null);
    }

    /** @return whether this session was released or abandoned */
    public boolean ended() {
        return ended.get();
    }

    /** Sets the connection's network timeout, only when it changes. */
    private void timeout(Duration timeout) throws SQLException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())); // 0 would mean none
        if (millis != networkTimeoutMillis) {
            setNetworkTimeout(connection, millis);
            networkTimeoutMillis = millis;
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
     */
    public void release() {
        if (!ended.compareAndSet(false, true)) {
            return; // abandoned already; and once it is released, a late abandon() must not touch the handle
        }
        try {
            unlockResetAndClose();
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> owner + ": clean release failed, abandoning the connection", e);
            end(false);
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
     *
     * <p>With a statement in flight, the statement is sent a cancel request first and the abort follows; both on a
     * thread of their own, so this returns at once (a cancel request to a silent server waits up to the driver's
     * {@code cancelSignalTimeout}). A backend that waits where it does not look at its client ({@code SyncRep}) would
     * otherwise outlive the abort with every lock of the session.
     */
    public void abandon() {
        if (ended.compareAndSet(false, true)) {
            PreparedStatement inFlight = running;
            if (inFlight == null) {
                end(false);
            } else {
                // a statement in flight may wait where its backend does not look at the client (SyncRep): a cancel
                // request first, then the abort; on a thread of their own, since the request may wait on a silent host
                CANCELS.execute(() -> {
                    cancelQuietly(inFlight);
                    end(true);
                });
            }
        }
    }

    /**
     * @param statementInFlight whether a statement was in flight when the session was ended: its thread may still be
     *                          in the driver, so an unabortable connection is not cleaned up from here
     */
    private void end(boolean statementInFlight) {
        if (abort(connection) || abortUnderneath(connection)) {
            closeQuietly(connection);
            return;
        }
        if (!statementInFlight && running == null) {
            try {
                unlockResetAndClose();
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> owner + ": clean-up of an unabortable connection failed", e);
            }
        }
        LOG.log(System.Logger.Level.WARNING, Messages.connectionLeftOpen(owner));
    }

    /**
     * Cancels a statement in flight (a blocking wait); safe from any thread, and returns at once: the request goes
     * out from a thread of its own (a request to a server that went silent waits up to the driver's
     * {@code cancelSignalTimeout}, and the node's lock thread calls this to wake its watcher). One at a time: a call
     * while one is on its way does nothing, and a caller that must be sure asks again (the watcher's wake does).
     */
    public void cancel() {
        PreparedStatement statement = running;
        if (statement != null && cancelling.compareAndSet(false, true)) {
            CANCELS.execute(() -> {
                try {
                    statement.cancel();
                } catch (SQLException | RuntimeException e) {
                    abandon();
                } finally {
                    cancelling.set(false);
                }
            });
        }
    }

    /** Sends a cancel request for a statement in flight, if the driver can; its failure changes nothing. */
    private static void cancelQuietly(PreparedStatement statement) {
        try {
            statement.cancel();
        } catch (SQLException | RuntimeException e) {
            // closed meanwhile, or a driver without cancel: the abort that follows ends the session anyway
        }
    }

    /** Same as {@link #abandon()}: a session that was not {@linkplain #release released} is not clean. */
    @Override
    public void close() {
        abandon();
    }

    /** Every advisory lock of the session let go ({@link Sql#UNLOCK_ALL}), the settings reset, then closed. */
    private void unlockResetAndClose() throws SQLException {
        Duration bound = Duration.ofSeconds(5);
        run(Sql.UNLOCK_ALL, bound, statement -> { }, rows -> null);
        if (listening) {
            run(Sql.UNLISTEN, bound, statement -> { }, rows -> null);
            listening = false;
        }
        run(Sql.RESET, bound, statement -> { }, rows -> null);
        if (originalNetworkTimeout >= 0) {
            // pools like IronJacamar hand the connection out again as it is: with our short socket timeout, the
            // application's next long query would fail
            setNetworkTimeout(connection, originalNetworkTimeout); // often 0: none
        }
        connection.close();
    }

    /**
     * The pooler guard, once for every verified statement: the backend must be the one seen at open, and carry
     * the tag set at open (another client's statements in this backend would have set their own).
     */
    private void verify(int backend, String foundTag) throws PoolerDetectedException {
        if (backend != server.backendPid()) {
            throw new PoolerDetectedException(Messages.poolerDetected(owner, server.backendPid(), backend));
        }
        if (!tag.equals(foundTag)) {
            throw new PoolerDetectedException(Messages.poolerSessionTagChanged(owner, backend));
        }
    }

    /** @return the failure as a {@link PoolerDetectedException} if it is one a transaction pooler causes */
    private SQLException poolerOr(SQLException failure) {
        String state = failure.getSQLState(); // null for our own (TokenOutOfRangeException): Set.of rejects null
        if (failure instanceof PoolerDetectedException || state == null || !POOLER_STATES.contains(state)) {
            return failure;
        }
        PoolerDetectedException detected = new PoolerDetectedException(
                Messages.poolerErrorState(owner, failure.getSQLState(), failure.getMessage()));
        detected.initCause(failure);
        return detected;
    }

    /**
     * @return the failure as a {@link LockTableFullException} (HL-0360, with the server's lock-table settings) if the
     *         shared lock table had no room for a lock the statement asked for; a statement that takes one lock at
     *         most says so, and {@link NodeSessionStatements#tryAcquireAll} tells how many it asked for
     */
    private SQLException lockTableOr(SQLException failure) {
        if (!OUT_OF_SHARED_MEMORY.equals(failure.getSQLState()) || failure.getMessage() == null
                || !failure.getMessage().contains("max_locks_per_transaction")) {
            return failure;
        }
        LockTable table = null;
        // not through run(): this statement's own failure must not be classified again
        try (PreparedStatement query = connection.prepareStatement(Sql.LOCK_TABLE);
             ResultSet row = query.executeQuery()) {
            row.next();
            table = new LockTable(row.getInt(1), row.getInt(2), row.getInt(3));
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e); // the message says the rule without this server's figures
        }
        return new LockTableFullException(owner, 1, table, failure);
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
