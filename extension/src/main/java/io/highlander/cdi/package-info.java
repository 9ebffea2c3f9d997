/**
 * Highlander CDI: a cluster-wide singleton for CDI, backed by a PostgreSQL advisory lock.
 *
 * <pre>{@code
 * @ApplicationScoped @ClusterSingleton("nightly-report")
 * class NightlyReport {
 *     @PostConstruct void start() { ... }   // only on the node that holds the lock
 *     @PreDestroy void stop() { ... }       // when it loses the lock or the application stops
 * }
 *
 * void onGain(@Observes @OfSingleton("nightly-report") LeadershipAcquired e) { ... }
 * void onLoss(@Observes LeadershipLost e) { ... e.reason() ... }
 * @Inject LeaderElector elector;   // isLeader(name), leader(name), status(), stepDown(name)
 * }</pre>
 *
 * The lock connection comes from a {@link io.highlander.cdi.HighlanderDataSource @HighlanderDataSource}
 * bean, a JNDI name, or a JDBC URL; see {@link io.highlander.cdi.HighlanderSettings}.
 */
package io.highlander.cdi;
