package io.highlander.cdi;

import io.highlander.cdi.internal.Messages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How this node takes part in elections. Highlander reads it from MicroProfile Config when present, else
 * from system properties, else from environment variables (keys below; in the environment upper case with
 * {@code _} for {@code .} and {@code -}, e.g. {@code HIGHLANDER_NODE_ID}). An application may instead
 * produce one as a CDI bean, which then wins over every other source:
 *
 * <pre>{@code
 * @Produces HighlanderSettings settings() {
 *     return HighlanderSettings.builder().nodeId("node-a").lease(Duration.ofSeconds(5)).build();
 * }
 * }</pre>
 *
 * <table>
 * <caption>Settings, their keys and defaults</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code highlander.node-id}</td><td>host name and process id</td><td>this node's id, shown to
 *   other nodes and in events</td></tr>
 * <tr><td>{@code highlander.lease}</td><td>10s</td><td>L: after L without a statement, PostgreSQL ends the
 *   node session (the connection that holds its locks); a frozen or cut-off leader is replaced after about L</td></tr>
 * <tr><td>{@code highlander.heartbeat}</td><td>L/5</td><td>how often the leader proves it is alive; at
 *   most L/3</td></tr>
 * <tr><td>{@code highlander.stop-margin}</td><td>L/10</td><td>m: the leader stops its singleton at L − m
 *   after its last acknowledged heartbeat; the time {@code @PreDestroy} may take; at most L/3</td></tr>
 * <tr><td>{@code highlander.standby.interval}</td><td>5s</td><td>the safety net: a standby node tries the locks
 *   it wants at least this often even if no notice came (one statement per node, whatever the number of
 *   singletons)</td></tr>
 * <tr><td>{@code highlander.watcher.wait}</td><td>1m</td><td>how long the node's watcher connection waits on
 *   another node's liveness lock in one statement ({@code lock_timeout}), 1s to 1h: each wait that runs out
 *   writes one {@code ERROR: canceling statement due to lock timeout} line to the server log, and the waiting
 *   statement holds back VACUUM's horizon ({@code backend_xmin}) for as long as it runs</td></tr>
 * <tr><td>{@code highlander.takeover}</td><td>{@code fast}</td><td>{@code fast}: a node that takes a lock starts
 *   the singleton at once. {@code strict}: it does so only if, on its current node session, it saw the previous
 *   term begin and end cleanly ({@code acquired} and {@code released} notices of the same token); otherwise (a
 *   crash, a killed session, a restart, a holder it did not see begin) it waits out the previous holder's lease,
 *   L + m from the grant, before {@code @PostConstruct}: no overlap after a server-side end of the session, at
 *   the price of a failover of L + m after a crash</td></tr>
 * <tr><td>{@code highlander.placement}</td><td>{@code first-come}</td><td>{@code first-come}: a node leads every
 *   singleton whose lock it wins first (the node started first leads them all). {@code balanced}: with N live
 *   nodes and S singletons a node leads at most its share, ⌈S/N⌉ or ⌊S/N⌋ (the shares add up to S); a node that
 *   joins or leaves makes nodes over their share step down the excess, each singleton handed over at most once; a
 *   singleton nobody leads is still taken within about two {@code highlander.standby.interval}s even if the shares
 *   do not add up (nodes with different singletons)</td></tr>
 * <tr><td>{@code highlander.restart.max-failures}</td><td>3</td><td>failures of the singleton (a throwing
 *   {@code @PostConstruct} or {@link LeaderElector#reportFailure}) within the window after which this node
 *   steps down; 1 to 1000</td></tr>
 * <tr><td>{@code highlander.restart.window}</td><td>1m</td><td>the window those failures are counted in</td></tr>
 * <tr><td>{@code highlander.restart.backoff}</td><td>1s</td><td>wait before the first restart on the same
 *   node; doubles with each further failure in the window</td></tr>
 * <tr><td>{@code highlander.restart.cooldown}</td><td>1m</td><td>how long a node that stepped down after
 *   failures stays out of the election</td></tr>
 * <tr><td>{@code highlander.namespace}</td><td>a hash of {@code "io.highlander"}</td><td>first key of the
 *   advisory lock, keeping ours apart from the application's own advisory locks</td></tr>
 * <tr><td>{@code highlander.token-floor}</td><td>0</td><td>added to every fencing token, so every token is
 *   above it; after moving to another PostgreSQL cluster (HL-0342), set it on every node to at least the highest
 *   token handed out before the move; 0 or more</td></tr>
 * <tr><td>{@code highlander.datasource.jndi}</td><td>none</td><td>JNDI name of the DataSource</td></tr>
 * <tr><td>{@code highlander.datasource.url}, {@code .user}, {@code .password}</td><td>none</td><td>a JDBC URL
 *   for plain Java applications without a DataSource</td></tr>
 * <tr><td>{@code highlander.datasource.name}</td><td>none</td><td>Quarkus only: the named datasource
 *   ({@code quarkus.datasource."name".*}) to take instead of the default one</td></tr>
 * </table>
 *
 * Durations are written {@code 1500ms}, {@code 10s}, {@code 1m} or ISO-8601 ({@code PT10S}). A
 * {@link HighlanderDataSource @HighlanderDataSource} bean, if there is one, wins over both DataSource
 * settings. A standby never waits on a singleton's lock: it is told by a notice when a lock is released or a node
 * is gone and then tries the lock, with {@code highlander.standby.interval} as the safety net. (The former
 * {@code highlander.standby.mode} is retired: setting it only logs a warning.) {@link #toString()} never shows a
 * credential: neither the password nor one written into the JDBC URL.
 */
public final class HighlanderSettings {

    /** What a node does with a lock whose previous holder it did not see let go cleanly. */
    public enum Takeover {
        /** Start the singleton at once (overlap after a server-side session end: milliseconds). */
        FAST,
        /** Wait L + m from the grant unless the last term was seen to end cleanly. */
        STRICT
    }

    /** Which node leads which singleton; see the class documentation. */
    public enum Placement {
        /** Whoever wins a lock first leads it, however many it leads already ({@code first-come}). */
        FIRST_COME,
        /** A node leads at most its share of the singletons among the live nodes ({@code balanced}). */
        BALANCED
    }

    /** The default lease, 10 seconds. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);
    /** The default wait of the watcher on another node's liveness lock, 1 minute. */
    public static final Duration DEFAULT_WATCHER_WAIT = Duration.ofMinutes(1);
    /** The default standby interval, 5 seconds. */
    public static final Duration DEFAULT_STANDBY_INTERVAL = Duration.ofSeconds(5);
    /** The default namespace: the first key of every lock, a stable hash of {@code "io.highlander"}. */
    public static final int DEFAULT_NAMESPACE = 1946535061; // the lock-key hash of "io.highlander"

    private final String nodeId;
    private final Duration lease;
    private final Duration heartbeat;
    private final Duration stopMargin;
    private final Duration standbyInterval;
    private final Duration watcherWait;
    private final Takeover takeover;
    private final Placement placement;
    private final int namespace;
    private final long tokenFloor;
    private final int maxFailures;
    private final Duration failureWindow;
    private final Duration restartBackoff;
    private final Duration failureCooldown;
    private final String dataSourceJndiName;
    private final String jdbcUrl;
    private final String jdbcUser;
    private final String jdbcPassword;

    private HighlanderSettings(Builder builder) {
        this.nodeId = builder.nodeId;
        this.lease = builder.lease;
        this.heartbeat = builder.heartbeat != null ? builder.heartbeat : lease.dividedBy(5);
        this.stopMargin = builder.stopMargin != null ? builder.stopMargin : lease.dividedBy(10);
        this.standbyInterval = builder.standbyInterval;
        this.watcherWait = builder.watcherWait;
        this.takeover = builder.takeover;
        this.placement = builder.placement;
        this.namespace = builder.namespace;
        this.tokenFloor = builder.tokenFloor;
        this.maxFailures = builder.maxFailures;
        this.failureWindow = builder.failureWindow;
        this.restartBackoff = builder.restartBackoff;
        this.failureCooldown = builder.failureCooldown;
        this.dataSourceJndiName = builder.dataSourceJndiName;
        this.jdbcUrl = builder.jdbcUrl;
        this.jdbcUser = builder.jdbcUser;
        this.jdbcPassword = builder.jdbcPassword;
    }

    /** @return a builder with every default set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return this node's id */
    public String nodeId() {
        return nodeId;
    }

    /** @return L, the lease */
    public Duration lease() {
        return lease;
    }

    /** @return the heartbeat interval */
    public Duration heartbeat() {
        return heartbeat;
    }

    /** @return m, the time reserved for stopping the singleton before the lease runs out */
    public Duration stopMargin() {
        return stopMargin;
    }

    /** @return the longest a standby node goes without trying the locks it wants */
    public Duration standbyInterval() {
        return standbyInterval;
    }

    /** @return what a node does with a lock not seen released cleanly */
    public Takeover takeover() {
        return takeover;
    }

    /** @return which node leads which singleton */
    public Placement placement() {
        return placement;
    }

    /** @return how long the watcher waits on another node's liveness lock in one statement */
    public Duration watcherWait() {
        return watcherWait;
    }

    /** @return the first key of every advisory lock */
    public int namespace() {
        return namespace;
    }

    /** @return what is added to every fencing token ({@code highlander.token-floor}) */
    public long tokenFloor() {
        return tokenFloor;
    }

    /** @return failures within {@link #failureWindow()} after which this node steps down */
    public int maxFailures() {
        return maxFailures;
    }

    /** @return the window singleton failures are counted in */
    public Duration failureWindow() {
        return failureWindow;
    }

    /** @return the wait before the first restart; it doubles with each further failure */
    public Duration restartBackoff() {
        return restartBackoff;
    }

    /** @return how long a node that stepped down after failures stays out of the election */
    public Duration failureCooldown() {
        return failureCooldown;
    }

    /** @return the DataSource's JNDI name, or {@code null} */
    public String dataSourceJndiName() {
        return dataSourceJndiName;
    }

    /** @return the JDBC URL, or {@code null} */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** @return the JDBC user, or {@code null} */
    public String jdbcUser() {
        return jdbcUser;
    }

    /** @return the JDBC password, or {@code null}; never logged */
    public String jdbcPassword() {
        return jdbcPassword;
    }

    @Override
    public String toString() {
        return "HighlanderSettings[nodeId=" + nodeId + ", lease=" + lease + ", heartbeat=" + heartbeat
                + ", stopMargin=" + stopMargin + ", standbyInterval="
                + standbyInterval + ", watcherWait=" + watcherWait + ", takeover=" + takeover + ", placement=" + placement + ", namespace=" + namespace + ", tokenFloor=" + tokenFloor + ", maxFailures=" + maxFailures
                + ", failureWindow=" + failureWindow + ", restartBackoff=" + restartBackoff
                + ", failureCooldown=" + failureCooldown + ", dataSourceJndiName=" + dataSourceJndiName
                + ", jdbcUrl=" + Messages.redactUrl(jdbcUrl) + ", jdbcUser=" + jdbcUser
                + ", jdbcPassword=" + (jdbcPassword == null ? "null" : "****") + "]";
    }

    /** Builds validated {@link HighlanderSettings}; every problem is reported at once by {@link #build()}. */
    public static final class Builder {
        private String nodeId = defaultNodeId();
        private Duration lease = DEFAULT_LEASE;
        private Duration heartbeat;
        private Duration stopMargin;
        private Duration standbyInterval = DEFAULT_STANDBY_INTERVAL;
        private Duration watcherWait = DEFAULT_WATCHER_WAIT;
        private Takeover takeover = Takeover.FAST;
        private Placement placement = Placement.FIRST_COME;
        private int namespace = DEFAULT_NAMESPACE;
        private long tokenFloor;
        private int maxFailures = 3;
        private Duration failureWindow = Duration.ofMinutes(1);
        private Duration restartBackoff = Duration.ofSeconds(1);
        private Duration failureCooldown = Duration.ofMinutes(1);
        private String dataSourceJndiName;
        private String jdbcUrl;
        private String jdbcUser;
        private String jdbcPassword;

        private Builder() {
        }

        /** @param nodeId this node's id; unique in the cluster, at most 50 characters @return this */
        public Builder nodeId(String nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /** @param lease L, at least 300ms @return this */
        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        /** @param heartbeat the heartbeat interval, at most L/3 (default L/5) @return this */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = heartbeat;
            return this;
        }

        /** @param stopMargin m, more than zero and at most L/3 (default L/10) @return this */
        public Builder stopMargin(Duration stopMargin) {
            this.stopMargin = stopMargin;
            return this;
        }

        /** @param standbyInterval the longest a standby node goes without trying its locks, 10ms to 1h @return this */
        public Builder standbyInterval(Duration standbyInterval) {
            this.standbyInterval = standbyInterval;
            return this;
        }

        /**
         * @param watcherWait how long the watcher waits on another node's liveness lock in one statement, 1s to 1h
         * @return this
         */
        public Builder watcherWait(Duration watcherWait) {
            this.watcherWait = watcherWait;
            return this;
        }

        /** @param takeover what a node does with a lock not seen released cleanly @return this */
        public Builder takeover(Takeover takeover) {
            this.takeover = takeover;
            return this;
        }

        /** @param placement which node leads which singleton (default first come) @return this */
        public Builder placement(Placement placement) {
            this.placement = placement;
            return this;
        }

        /** @param namespace the first key of every advisory lock @return this */
        public Builder namespace(int namespace) {
            this.namespace = namespace;
            return this;
        }

        /** @param tokenFloor added to every fencing token, 0 or more @return this */
        public Builder tokenFloor(long tokenFloor) {
            this.tokenFloor = tokenFloor;
            return this;
        }

        /**
         * @param maxFailures failures within {@code window} after which this node steps down, 1 to 1000
         * @param window      the window they are counted in
         * @param backoff     the wait before the first restart, doubling with each further failure
         * @param cooldown    how long this node then stays out of the election
         * @return this
         */
        public Builder restartPolicy(int maxFailures, Duration window, Duration backoff, Duration cooldown) {
            this.maxFailures = maxFailures;
            this.failureWindow = window;
            this.restartBackoff = backoff;
            this.failureCooldown = cooldown;
            return this;
        }

        /** @param jndiName the DataSource's JNDI name @return this */
        public Builder dataSourceJndiName(String jndiName) {
            this.dataSourceJndiName = jndiName;
            return this;
        }

        /**
         * @param url      a {@code jdbc:postgresql:} URL
         * @param user     the user, or {@code null} to take it from the URL
         * @param password the password, or {@code null}
         * @return this
         */
        public Builder jdbcUrl(String url, String user, String password) {
            this.jdbcUrl = url;
            this.jdbcUser = user;
            this.jdbcPassword = password;
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException naming every invalid setting and how to fix it
         */
        public HighlanderSettings build() {
            List<String> problems = new ArrayList<>();
            if (nodeId == null || nodeId.isBlank() || nodeId.length() > 50) {
                problems.add(Messages.invalidNodeId(nodeId));
            }
            boolean leaseValid = lease != null && lease.compareTo(Duration.ofMillis(300)) >= 0
                    && lease.compareTo(Duration.ofDays(1)) <= 0;
            if (!leaseValid) {
                // what depends on the lease is not compared with a lease that is itself wrong
                problems.add(Messages.invalidLease(lease));
            } else {
                Duration effectiveHeartbeat = heartbeat != null ? heartbeat : lease.dividedBy(5);
                if (effectiveHeartbeat.isNegative() || effectiveHeartbeat.isZero()
                        || effectiveHeartbeat.multipliedBy(3).compareTo(lease) > 0) {
                    problems.add(Messages.invalidHeartbeat(effectiveHeartbeat, lease));
                }
                Duration effectiveMargin = stopMargin != null ? stopMargin : lease.dividedBy(10);
                if (effectiveMargin.isNegative() || effectiveMargin.isZero()
                        || effectiveMargin.multipliedBy(3).compareTo(lease) > 0) {
                    problems.add(Messages.invalidStopMargin(effectiveMargin, lease));
                }
            }
            if (tokenFloor < 0) {
                problems.add(Messages.invalidTokenFloor(Long.toString(tokenFloor)));
            }
            if (standbyInterval == null || standbyInterval.compareTo(Duration.ofMillis(10)) < 0
                    || standbyInterval.compareTo(Duration.ofHours(1)) > 0) {
                problems.add(Messages.invalidStandbyInterval(standbyInterval));
            }
            if (watcherWait == null || watcherWait.compareTo(Duration.ofSeconds(1)) < 0
                    || watcherWait.compareTo(Duration.ofHours(1)) > 0) {
                problems.add(Messages.invalidWatcherWait(watcherWait));
            }
            if (takeover == null) {
                problems.add(Messages.invalidTakeover(null));
            }
            if (placement == null) {
                problems.add(Messages.invalidPlacement(null));
            }
            if (maxFailures < 1 || maxFailures > 1000) {
                problems.add(Messages.invalidMaxFailures(maxFailures));
            }
            checkPositive("highlander.restart.window", failureWindow, problems);
            checkPositive("highlander.restart.backoff", restartBackoff, problems);
            checkPositive("highlander.restart.cooldown", failureCooldown, problems);
            if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
                problems.add(Messages.notPostgresUrl());
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join(System.lineSeparator(), problems));
            }
            return new HighlanderSettings(this);
        }

        private static void checkPositive(String key, Duration value, List<String> problems) {
            if (value == null || value.isNegative() || value.isZero() || value.compareTo(Duration.ofDays(1)) > 0) {
                problems.add(Messages.invalidRestartDuration(key, value));
            }
        }

        private static String defaultNodeId() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                try {
                    host = java.net.InetAddress.getLocalHost().getHostName();
                } catch (java.io.IOException | SecurityException e) {
                    host = "node";
                }
            }
            String id = host + "-" + ProcessHandle.current().pid();
            return id.length() <= 50 ? id : id.substring(id.length() - 50);
        }
    }
}
