package io.highlander.cdi.internal;

import io.highlander.cdi.internal.lock.LockTable;
import java.time.Duration;
import java.util.List;

/**
 * Every sentence a user can see, each with a stable id so that it can be searched for and documented.
 * Ids: HL-01xx deployment (what the application declared), HL-02xx settings, HL-03xx database and
 * DataSource, HL-04xx runtime (elections), HL-05xx calls on a node that does not lead.
 * Never put a password in a message.
 */
public final class Messages {

    private Messages() {
    }

    // HL-01xx: the application's declarations

    public static String notApplicationScoped(Class<?> beanClass, String actualScope) {
        return "HL-0101: @ClusterSingleton bean " + beanClass.getName() + " must be @ApplicationScoped but is "
                + actualScope + "; add @ApplicationScoped to the class.";
    }

    public static String notConcrete(Class<?> type, String kind) {
        return "HL-0102: @ClusterSingleton is on " + kind + " " + type.getName()
                + ", which cannot have an instance of its own; put it on a concrete @ApplicationScoped class.";
    }

    public static String onDecoratorOrInterceptor(Class<?> type, String kind) {
        return "HL-0103: @ClusterSingleton is on the " + kind + " " + type.getName()
                + "; only an @ApplicationScoped bean can be a cluster singleton, remove the annotation.";
    }

    public static String blankName(Class<?> beanClass) {
        return "HL-0104: @ClusterSingleton on " + beanClass.getName()
                + " has a blank name; give it a name or leave the value out to use the class name.";
    }

    public static String duplicateName(String name, List<String> classes) {
        return "HL-0105: the cluster singleton name '" + name + "' is used by " + String.join(" and ", classes)
                + "; each singleton needs its own name, change @ClusterSingleton(\"...\") on one of them.";
    }

    public static String keyCollision(String first, String second, int key) {
        return "HL-0106: the cluster singleton names '" + first + "' and '" + second
                + "' hash to the same lock key " + key + " and would share one lock; rename one of them.";
    }

    public static String unannotatedSubclass(Class<?> beanClass, Class<?> singletonClass, String name) {
        return "HL-0107: bean " + beanClass.getName() + " extends the cluster singleton " + singletonClass.getName()
                + " ('" + name + "') but is not a @ClusterSingleton itself, so every node would run it; annotate it"
                + " @ClusterSingleton with a name of its own, or share the code through a base class that is not a bean.";
    }

    public static String defaultName(Class<?> beanClass) {
        return "HL-0108: cluster singleton " + beanClass.getName() + " has no name of its own, so its lock is named"
                + " after the class: renaming or moving the class changes the lock, and during a rolling deployment"
                + " the old and the new version would both lead. Give it a name that outlives the class:"
                + " @ClusterSingleton(\"" + beanClass.getSimpleName() + "\").";
    }

    public static String foreignContext(String contextClass) {
        return "HL-0109: the container gave the cluster-singleton scope a context of class " + contextClass
                + ", not Highlander's; another extension registered a context for it. Remove that extension.";
    }

    public static String blankLeaderOnlyName(String where) {
        return "HL-0110: @LeaderOnly on " + where + " has a blank name; name the election it runs under,"
                + " e.g. @LeaderOnly(\"cleanup\").";
    }

    public static String leadershipOutsideSingleton(String where) {
        return "HL-0111: Leadership is injected into " + where + ", which is not a @ClusterSingleton, without a"
                + " name; select the election with @OfSingleton(\"...\") Leadership.";
    }

    // HL-02xx: settings

    public static String invalidSettings(String source, String problems) {
        return "HL-0200: invalid Highlander settings (from " + source + "):" + System.lineSeparator() + problems;
    }

    public static String invalidNodeId(String nodeId) {
        return "HL-0201: highlander.node-id '" + nodeId + "' is invalid; use 1 to 50 characters, unique in the cluster.";
    }

    public static String invalidLease(Duration lease) {
        return "HL-0202: highlander.lease " + lease + " is out of range; use 300ms to 1 day (default 10s).";
    }

    public static String invalidHeartbeat(Duration heartbeat, Duration lease) {
        return "HL-0203: highlander.heartbeat " + heartbeat + " must be more than zero and at most a third of"
                + " highlander.lease " + lease + ", so that a leader can miss two heartbeats; lower it or raise the lease.";
    }

    public static String invalidStopMargin(Duration margin, Duration lease) {
        return "HL-0204: highlander.stop-margin " + margin + " must be more than zero and at most a third of"
                + " highlander.lease " + lease + "; lower it or raise the lease.";
    }

    public static String retiredStandbyMode() {
        return "HL-0217: highlander.standby.mode is retired and ignored: every standby waits the same way, told by"
                + " notices when a lock is released, with highlander.standby.interval as the safety net; remove the"
                + " setting.";
    }

    public static String unknownSetting(String key, String nearest) {
        return "HL-0218: " + key + " is not a Highlander setting and is ignored; "
                + (nearest != null ? "did you mean " + nearest + "?"
                : "the settings are listed in the javadoc of io.highlander.cdi.HighlanderSettings.");
    }

    public static String invalidTakeover(String value) {
        return "HL-0321: highlander.takeover '" + value + "' is unknown; use 'fast' or 'strict'.";
    }

    public static String invalidPlacement(String value) {
        return "HL-0322: highlander.placement '" + value + "' is unknown; use 'first-come' or 'balanced'.";
    }

    public static String invalidWatcherWait(Duration wait) {
        return "HL-0320: highlander.watcher.wait " + wait + " is out of range; use 1s to 1h (default 1m).";
    }

    public static String invalidStandbyInterval(Duration interval) {
        return "HL-0206: highlander.standby.interval " + interval + " is out of range; use 10ms to 1h (default 5s).";
    }

    public static String unparsableDuration(String key, String value) {
        return "HL-0207: " + key + " '" + value + "' is not a duration; write e.g. 1500ms, 10s, 1m or PT10S.";
    }

    public static String unparsableInteger(String key, String value) {
        return "HL-0208: " + key + " '" + value + "' is not a 32-bit integer.";
    }

    public static String notPostgresUrl() {
        return "HL-0209: highlander.datasource.url must start with 'jdbc:postgresql:'; Highlander needs PostgreSQL.";
    }

    public static String invalidMaxFailures(int value) {
        return "HL-0211: highlander.restart.max-failures " + value + " is out of range; use 1 to 1000 (default 3).";
    }

    public static String invalidRestartDuration(String key, Duration value) {
        return "HL-0212: " + key + " " + value + " is out of range; use more than zero and at most 1 day.";
    }

    public static String notPositive(String key, Duration value) {
        return "HL-0214: " + key + " " + value + " must be more than zero.";
    }

    public static String containerDataSourceUnusable(String description, String reason) {
        return "HL-0216: " + description + " cannot be used (" + reason + "); configure it (quarkus.datasource.* for"
                + " Quarkus' datasources), or name another with highlander.datasource.name.";
    }

    public static String ambiguousSettingsBeans(int count) {
        return "HL-0210: the application has " + count + " HighlanderSettings beans; produce at most one.";
    }

    // HL-03xx: DataSource and database

    public static String noDataSource() {
        return "HL-0301: no DataSource for the cluster singletons' locks; produce a DataSource bean with"
                + " @HighlanderDataSource, or set highlander.datasource.jndi to a JNDI name, or set"
                + " highlander.datasource.url (with .user and .password) to a jdbc:postgresql: URL.";
    }

    public static String namedDataSourceNotFound(String name) {
        return "HL-0316: highlander.datasource.name is '" + name + "' but the application has no DataSource bean of"
                + " that name; configure quarkus.datasource.\"" + name + "\".db-kind=postgresql and its jdbc.url, or"
                + " correct highlander.datasource.name.";
    }

    public static String noContainerDataSource() {
        return "HL-0317: no DataSource for the cluster singletons' locks: the application has no default DataSource"
                + " bean; configure Quarkus' default datasource (quarkus.datasource.db-kind=postgresql and"
                + " quarkus.datasource.jdbc.url), or name another with highlander.datasource.name, or produce a"
                + " DataSource bean with @HighlanderDataSource.";
    }

    public static String ambiguousContainerDataSources(int count) {
        return "HL-0318: the application has " + count + " default DataSource beans, so Highlander cannot tell which"
                + " one holds its locks; name one with highlander.datasource.name, or produce one with"
                + " @HighlanderDataSource.";
    }

    public static String dataSourceNameNotHere(String name) {
        return "HL-0319: highlander.datasource.name '" + name + "' names a Quarkus datasource, which only Highlander's"
                + " build-compatible extension (Quarkus) reads; in this container produce a DataSource bean with"
                + " @HighlanderDataSource, or set highlander.datasource.jndi or highlander.datasource.url.";
    }

    public static String jndiNameNotFound(String jndiName, String cause) {
        return "HL-0302: the DataSource JNDI name '" + jndiName + "' (highlander.datasource.jndi) was not found ("
                + cause + "); define that DataSource in the server or correct the name.";
    }

    public static String jndiNotADataSource(String jndiName, String type) {
        return "HL-0303: the JNDI name '" + jndiName + "' (highlander.datasource.jndi) is bound to a " + type
                + ", not a javax.sql.DataSource; point it at a DataSource.";
    }

    public static String ambiguousDataSourceBeans(int count) {
        return "HL-0304: the application has " + count + " DataSource beans with @HighlanderDataSource; keep one.";
    }

    public static String noJdbcDriver(String url) {
        return "HL-0305: no JDBC driver accepts " + redactUrl(url)
                + "; add org.postgresql:postgresql to the application's class path.";
    }

    public static String notPostgres(String product, String source) {
        return "HL-0306: the DataSource " + source + " is " + product + ", not PostgreSQL; advisory locks need"
                + " PostgreSQL 14 or newer, point Highlander at a PostgreSQL DataSource.";
    }

    public static String postgresTooOld(String version, String source) {
        return "HL-0307: the DataSource " + source + " is PostgreSQL " + version
                + ", but Highlander needs PostgreSQL 14 or newer (for idle_session_timeout); upgrade the server.";
    }

    public static String serverInRecovery(String source) {
        return "HL-0308: the DataSource " + source + " points at a server in recovery (a hot standby); advisory"
                + " locks there are local to that replica, so point Highlander at the primary.";
    }

    // HL-0340..0359: failovers and fencing tokens (docs/design/tokens.md)

    public static String tokenOutOfRange(long timeline, long transactionId, long maxTimeline, long maxTransactionId) {
        return "HL-0340: PostgreSQL is on timeline " + timeline + " at transaction id " + transactionId
                + ", beyond what a fencing token holds (timeline 1.." + maxTimeline + ", transaction id 0.."
                + maxTransactionId + "), so this node does not lead rather than hand out a token that might not be"
                + " above an earlier one; see 'Fencing tokens' in the README for how to continue.";
    }

    public static String tokenNotAbove(String node, long token, long highest, Object now, String before) {
        return "HL-0341: node " + node + " does not lead: PostgreSQL at " + now + " handed out fencing token " + token
                + ", not above token " + highest + " (" + before + "), so the database went back to an earlier"
                + " state without a new timeline; it tries again each standby interval and leads once the server's"
                + " tokens pass " + highest + ".";
    }

    public static String invalidTokenFloor(String value) {
        return "HL-0343: highlander.token-floor '" + value + "' is not a whole number of 0 or more; set it to the"
                + " highest fencing token handed out before the move to another cluster, or leave it out.";
    }

    public static String tokenFloorTooHigh(long floor, long token) {
        return "HL-0344: highlander.token-floor " + floor + " plus the server's fencing token " + token
                + " exceeds the largest token (" + Long.MAX_VALUE + "), so this node does not lead; lower the floor"
                + " to the highest token handed out so far.";
    }

    public static String statementPastDeadline(String owner, long millis) {
        return "HL-0350: " + owner + ": PostgreSQL did not answer a statement within " + millis + " ms, so it was sent"
                + " a cancel request and its connection was abandoned (the server, or the network to it, went silent).";
    }

    public static String watcherOnOtherServer(String owner, Object watcher, Object node) {
        return "HL-0351: " + owner + ": the watcher's connection reached " + watcher + ", not the node session's server "
                + node + ", so it was closed and is tried again; two servers take connections as a primary at once"
                + " (a failover under way, or a split database): make sure the HA manager fences the old primary.";
    }

    public static String connectInterrupted() {
        return "HL-0352: the connect to PostgreSQL was interrupted (the node is stopping); a connection that arrives"
                + " later is closed at once.";
    }

    public static String otherCluster(String node, Object now, Object home, String highest) {
        return "HL-0342: node " + node + " does not lead: its session is on another PostgreSQL cluster, " + now
                + ", than the one its fencing tokens came from, " + home + ", whose tokens start again below those"
                + " handed out (this node's highest: " + highest + "). If the move is intended, set"
                + " highlander.token-floor on every node to at least the highest token any node handed out and"
                + " restart them; otherwise point the nodes back at the first cluster.";
    }

    // HL-0360..0369: the server's limits at scale (connections, the shared lock table)

    /**
     * @param owner  whose session it is ("node x" or a singleton's name)
     * @param asked  how many locks the failed statement asked for at once
     * @param table  the server's lock-table settings, or {@code null} if they could not be read
     * @return HL-0360: the shared lock table is full, with its arithmetic and the setting to raise
     */
    public static String lockTableFull(String owner, int asked, LockTable table) {
        String formula = "max_locks_per_transaction × (max_connections + max_prepared_transactions)";
        String sized = table == null ? formula : formula + " = " + table.maxLocksPerTransaction() + " × ("
                + table.maxConnections() + " + " + table.maxPreparedTransactions() + ") = " + table.capacity();
        String raise = table == null ? "raise max_locks_per_transaction (it takes a restart of the server)"
                : "raise max_locks_per_transaction (it takes a restart of the server) to at least "
                        + table.settingFor(asked);
        return "HL-0360: " + owner(owner) + " could not take " + (asked == 1 ? "a lock" : asked + " locks")
                + ": PostgreSQL's shared lock table is full (SQLState 53200, out of shared memory). It holds " + sized
                + " locks for all sessions of the server together, and a cluster takes one per singleton (two while a node"
                + " takes it), one per node and one per node's watcher, besides what the applications lock; " + raise + ", or run fewer"
                + " singletons on this database. Retrying.";
    }

    /**
     * @param source the DataSource's description
     * @param waited how long the statement waited
     * @return HL-0361: a connection's first statement got no answer, as behind a session pooler with no free server
     *         connection
     */
    public static String firstStatementUnanswered(String source, Duration waited) {
        return "HL-0361: the first statement on a connection of DataSource " + source + " got no answer within "
                + (waited.toMillis() % 1000 == 0 ? waited.toSeconds() + " s" : waited.toMillis() + " ms") + ": PostgreSQL, or a pooler in front of it, has no server connection free for it. A"
                + " pooler in session mode (pgbouncer) gives each client connection a server connection of its own for"
                + " as long as it is open, and every node holds two for good (its node session and its watcher): size"
                + " its pool to at least two per node (pgbouncer's default_pool_size), or connect Highlander directly.";
    }

    public static String databaseRejected(String source, String sqlState, String detail) {
        return "HL-0309: PostgreSQL refused the connection of DataSource " + source + " (SQLState " + sqlState
                + ": " + detail + "); check the user, password and database name.";
    }

    public static String databaseUnavailable(String source, String detail) {
        return "HL-0310: PostgreSQL is not reachable through " + source + " (" + detail
                + "); the singletons stay on standby and Highlander keeps trying.";
    }

    public static String databaseBusy(String source, String sqlState, String detail) {
        return "HL-0315: PostgreSQL takes no connection through the DataSource " + source + " for now (SQLState "
                + sqlState + ": " + detail + "); the singletons stay on standby and Highlander keeps trying.";
    }

    public static String noConnectionAtAll(String source, String failure) {
        return "HL-0313: the DataSource " + source + " could not create any connection, and not because the"
                + " database is down (" + failure + "); is the PostgreSQL driver installed in the server and the"
                + " DataSource configured for it?";
    }

    public static String poolerDetected(String singleton, int before, int after) {
        return "HL-0323: the lock connection of " + owner(singleton) + " moved from PostgreSQL backend "
                + before + " to " + after + " between two statements" + TRANSACTION_POOLER + " This node no longer"
                + " competes for it.";
    }

    public static String poolerLockAlreadyHeld(String singleton, int backend) {
        return "HL-0324: the lock connection of " + owner(singleton) + " found the lock already held by its own"
                + " PostgreSQL backend " + backend + " before taking it, for another client that shares the backend"
                + TRANSACTION_POOLER + " This node no longer competes for it.";
    }

    public static String poolerSessionTagChanged(String singleton, int backend) {
        return "HL-0325: the lock connection of " + owner(singleton) + " found another client's session tag on"
                + " PostgreSQL backend " + backend + ", so another client's statements ran in its session"
                + TRANSACTION_POOLER + " This node no longer competes for it.";
    }

    public static String poolerErrorState(String singleton, String sqlState, String detail) {
        return "HL-0326: the lock connection of " + owner(singleton) + " failed with SQLState " + sqlState + " ("
                + detail + "), the error a pooler in transaction mode gives to server-side prepared statements"
                + TRANSACTION_POOLER + " This node no longer competes for it.";
    }

    public static String poolerSharedBackend(String source, int backend) {
        return "HL-0311: two connections of the DataSource " + source + " open at the same time share PostgreSQL"
                + " backend " + backend + TRANSACTION_POOLER;
    }

    /**
     * @param owner a singleton's name, or {@code node <id>} for a node session
     * @return how messages name whose lock connection it is
     */
    private static String owner(String owner) {
        return owner.startsWith("node ") ? "node '" + owner.substring(5) + "'" : "singleton '" + owner + "'";
    }

    /**
     * The common end of every pooler message (HL-0311 at deployment, HL-0323 to HL-0326 at run time, one id per
     * detector): what it means and how to fix it.
     */
    private static final String TRANSACTION_POOLER = ": a pooler in transaction mode (e.g. pgbouncer) sits in between,"
            + " and session advisory locks cannot work there. Connect Highlander directly to PostgreSQL or through a"
            + " pooler in session mode.";

    public static String connectionLeftOpen(String singleton) {
        return "HL-0314: the lock connection of " + owner(singleton) + " could neither be aborted (its pool does"
                + " not support Connection.abort) nor cleaned up, so it is left open rather than handed back to the"
                + " pool holding the lock; PostgreSQL ends it after highlander.lease, and the pool slot stays lost."
                + " Use a pool whose connections support abort.";
    }

    // HL-04xx: elections at run time

    public static String sessionOn(String node, Object now, Object before) {
        return "HL-0450: node " + node + "'s session is on " + now + (before == null ? "" : ", before on " + before) + ".";
    }

    public static String acquired(String singleton, String node, long token) {
        return "HL-0401: " + singleton + ": node " + node + " leads now (fencing token " + token + ")";
    }

    public static String standingBy(String singleton, String node) {
        return "HL-0416: " + singleton + ": node " + node + " stands by: it competes for the lock and takes over when it"
                + " is free";
    }

    public static String warmUpFailed(String singleton, Object failure) {
        return "HL-0417: " + singleton + ": preparing the takeover while standing by failed (" + failure
                + "); this node still takes over, only its first takeover is slower";
    }

    public static String lost(String singleton, String node, Object reason, String detail) {
        return "HL-0402: " + singleton + ": node " + node + " stopped leading (" + reason + ")"
                + (detail == null ? "" : ": " + detail);
    }

    public static String connectionLost(String singleton, String detail) {
        return "HL-0403: " + singleton + ": lock connection failed (" + detail + "); retrying";
    }

    public static String stopTooSlow(String singleton, Duration limit) {
        return "HL-0404: " + singleton + ": @PreDestroy did not return within " + limit
                + "; the lock is released anyway, so the next leader may overlap with it. Make @PreDestroy return faster.";
    }

    public static String callbackFailed(String singleton, String what) {
        return "HL-0405: " + singleton + ": " + what + " threw";
    }

    public static String observerFailed(String singleton, String event) {
        return "HL-0406: " + singleton + ": an observer of " + event + " threw; the election goes on";
    }

    public static String singletonFailed(String singleton, int failures, Duration window, Duration backoff) {
        return "HL-0410: " + singleton + ": the singleton failed (" + failures + " in " + window
                + "); restarting it on this node in " + backoff;
    }

    public static String singletonFailedTooOften(String singleton, int failures, Duration window, Duration cooldown) {
        return "HL-0411: " + singleton + ": the singleton failed " + failures + " times in " + window
                + "; this node steps down and stays out of the election for " + cooldown + " so that another node can try";
    }

    public static String poolMayStarve(String source, int held, Duration waited) {
        return "HL-0412: the DataSource " + source + " gave no further connection within " + waited
                + " while Highlander holds " + held + " of its connections for good; the application may starve."
                + " Enlarge the pool by " + held + " or give Highlander a DataSource of its own (@HighlanderDataSource).";
    }

    public static String noSocketWait(String node, String source, Duration heartbeat, Duration standbyInterval) {
        return "HL-0430: node " + node + ": the connections of the DataSource " + source + " cannot be unwrapped to"
                + " pgjdbc's PGConnection, so the lock connection cannot wait for notices in a socket read: this node"
                + " sees PostgreSQL end its session (pg_terminate_backend, a restart) only at its next heartbeat"
                + " (every " + heartbeat + ") and a lock another node released only at its next try (every "
                + standbyInterval + "). Use a pool whose connections unwrap to the driver's (HikariCP, Agroal,"
                + " IronJacamar and Open Liberty do).";
    }

    public static String notificationQueueFilling(String owner, double usage) {
        return "HL-0434: " + owner + ": PostgreSQL's notification queue is " + Math.round(usage * 100) + "% full, so"
                + " Highlander skips its hints to the other nodes (they fall back on their timed tries and watchers;"
                + " strict takeover waits out leases). A session that LISTENs and stays in a long transaction holds the"
                + " queue: end that transaction (see pg_stat_activity, state 'idle in transaction').";
    }

    public static String strictTakeoverWaits(String singleton, String node, Duration wait) {
        return "HL-0431: " + singleton + ": node " + node + " took the lock without having heard the last term end"
                + " cleanly (a crash, a killed session, a restart, a stop that overran its bound, or an end it was not"
                + " listening for), so it waits out"
                + " the previous holder's lease (" + wait + ") before starting the singleton (highlander.takeover=strict)";
    }

    public static String steppingDownToBalance(String singleton, String node, int leads, int share, int liveNodes) {
        return "HL-0432: " + singleton + ": node " + node + " steps down to balance the singletons: it leads " + leads
                + " and its share among " + liveNodes + " live nodes is " + share + " (highlander.placement=balanced)";
    }

    public static String takenBeyondShare(String singleton, String node, Duration grace) {
        return "HL-0433: " + singleton + ": node " + node + " leads it beyond its share because no node held its lock"
                + " for " + grace + " (highlander.placement=balanced: a singleton nobody leads comes before balance)";
    }

    public static String lockThreadInterrupted(String singleton) {
        return "HL-0413: " + singleton + ": the lock thread was interrupted (the container is stopping its threads);"
                + " this node leaves the election";
    }

    public static String noJmxView(String node, String failure) {
        return "HL-0415: node " + node + " has no JMX view (" + failure + "); everything else works";
    }

    public static String foreignLockHolder(String singleton, Object holder) {
        return "HL-0414: " + singleton + ": the lock is held by " + holder + ", which is not a Highlander node;"
                + " no node can lead until that session lets it go";
    }

    public static String unexpected(String singleton) {
        return "HL-0407: " + singleton + ": unexpected failure in the election; retrying";
    }

    public static String unknownSingleton(String name, List<String> known) {
        return "HL-0408: there is no cluster singleton named '" + name + "' in this application; known: " + known;
    }

    public static String endedWhileStarting(String singleton) {
        return "HL-0409: " + singleton + ": leadership ended while @PostConstruct was still running;"
                + " the instance is destroyed as soon as it returns";
    }

    public static String leaderOnlySkipped(String election, String node, String leader) {
        return "HL-0420: " + election + ": node " + node + " does not lead, so it skips @LeaderOnly calls ("
                + (leader == null ? "leader unknown" : "leader: " + leader) + "); said once per change of term";
    }

    // HL-044x: leader work cancelled when its term ends (docs/design/fencing.md §8)

    public static String termWorkCancelled(String election, String node, long token, Object reason, int calls,
                                           int connections) {
        return "HL-0440: " + election + ": term " + token + " ended on node " + node + " (" + reason + "), so its work"
                + " is cancelled: " + calls + " @LeaderOnly call(s) in flight interrupted, " + connections
                + " connection(s) still open in a fenced transaction aborted (their commits fail)";
    }

    public static String fencedAbortFailed(String election, String node, long token, String problem) {
        return "HL-0441: " + election + ": node " + node + " could not abort a connection fenced by term " + token
                + " (" + problem + "); PostgreSQL ends its transaction once it sits idle for highlander.lease, and"
                + " the next term waits until it has";
    }

    public static String metricsNotPublished(String library, String cause) {
        return "HL-0490: the cluster singletons' meters could not be published to " + library + " (" + cause
                + "); the node runs on without them. The HL lines, the JMX view and LeaderElector.status() still"
                + " show leadership; see docs/metrics.md";
    }

    // HL-047x: the fence of a leader's writes (docs/design/fencing.md)

    public static String fenceRefused(String singleton, String node, long token) {
        return "HL-0470: " + singleton + ": node " + node + " no longer holds term " + token
                + " at the database, so this fenced transaction must not commit; roll it back";
    }

    public static String fenceNeedsTransaction(String singleton) {
        return "HL-0471: " + singleton + ": Leadership.fence needs a connection inside a transaction, but it is in"
                + " autocommit; call setAutoCommit(false) first, or fence inside a JTA transaction";
    }

    public static String fenceBarrierWaits(String node, Duration bound) {
        return "HL-0472: node " + node + " holds the lock but waits for transactions fenced by the previous term to"
                + " end before its term begins (asking again every " + bound.toMillis() + " ms)";
    }

    public static String fenceBarrierFailed(String node, String problem) {
        return "HL-0473: node " + node + " could not wait for the previous term's fenced transactions (" + problem
                + "); retrying while the term runs";
    }

    // HL-048x: scheduled instants run once across hand-overs, @RunOnce (docs/design/scheduling.md)

    public static String runLedgerMissing(String database, String ddl) {
        return "HL-0480: @RunOnce records each scheduled instant in the table highlander_scheduled_run, which is"
                + " missing in the database of the elections (" + database + "); create it there: " + ddl;
    }

    public static String runOnceBadDuration(String where, String attribute, String value, String expected) {
        return "HL-0481: @RunOnce on " + where + " has " + attribute + " = \"" + value + "\", which is not " + expected
                + "; correct it";
    }

    public static String runOnceWithoutLeaderOnly(String where) {
        return "HL-0482: @RunOnce on " + where + " has no @LeaderOnly on the method or its class, so no election"
                + " decides who records its instants; add @LeaderOnly(\"name\")";
    }

    public static String runOnceNoSkipValue(String where, String returnType) {
        return "HL-0483: @RunOnce on " + where + " returns " + returnType + ", which a skipped firing cannot give back;"
                + " make it void (or return a future or Optional)";
    }

    public static String instantAlreadyRun(String election, String instant, String node) {
        return "HL-0484: " + election + ": instant " + instant + " is already recorded as run, so node " + node
                + " skips this firing of it";
    }

    public static String instantClaimRefused(String election, String instant, String node) {
        return "HL-0485: " + election + ": node " + node + " no longer holds its term at the database, so it does not"
                + " record nor run instant " + instant;
    }

    public static String instantNotRecorded(String election, String instant, String problem) {
        return "HL-0486: " + election + ": instant " + instant + " could not be recorded (" + problem
                + "), so it is skipped here; said once per change of problem";
    }

    public static String missedInstantRun(String election, String instant, String node, Duration waited) {
        return "HL-0487: " + election + ": node " + node + " runs instant " + instant + ", whose firing came here "
                + waited.toMillis() + " ms ago, before this node led (misfire grace)";
    }

    public static String runLedgerWithoutKey(String database, String ddl) {
        return "HL-0488: the table highlander_scheduled_run in the database of the elections (" + database + ") has no"
                + " primary key (election, job, instant), without which an instant could run twice; recreate it: "
                + ddl;
    }

    // HL-05xx: calls on a node that does not lead

    public static String notLeader(String singleton, String node, String leader) {
        return "HL-0501: cluster singleton '" + singleton + "' is not active on node " + node
                + ": this node does not lead it (" + (leader == null ? "leader unknown" : "leader: " + leader)
                + "). Only the leader has an instance; check LeaderElector.isLeader(\"" + singleton + "\") first.";
    }

    /** Parameters whose value is a credential: {@code password}, {@code sslpassword}, and any secret or token. */
    private static final java.util.regex.Pattern URL_CREDENTIAL = java.util.regex.Pattern.compile(
            "(?i)([?&;][^=&;?]*(?:password|passwd|pwd|secret|token)[^=&;?]*=)[^&;]*");
    /** A password written as user information, {@code //user:password@host}, which some tools produce. */
    private static final java.util.regex.Pattern URL_USER_INFO = java.util.regex.Pattern.compile("(//[^/@:?]*:)[^/@?]*@");

    /** A JDBC URL with every credential in it blanked out, fit for a message or a {@code toString()}. */
    public static String redactUrl(String url) {
        if (url == null) {
            return "null";
        }
        String redacted = URL_CREDENTIAL.matcher(url).replaceAll("$1****");
        return URL_USER_INFO.matcher(redacted).replaceAll("$1****@");
    }
}
