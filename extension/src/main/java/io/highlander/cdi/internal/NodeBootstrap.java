package io.highlander.cdi.internal;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.config.SettingsSource;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.datasource.ConnectFailure;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.internal.discovery.SingletonDefinition;
import io.highlander.cdi.internal.election.Elections;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.ServerInfo;
import io.highlander.cdi.internal.lock.UnsuitableServerException;
import io.highlander.cdi.internal.metrics.NodeTally;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sets a node up once the deployment is valid: settings, DataSource, a first look at the database, then
 * the {@link Elections}. Every misconfiguration surfaces here, before any singleton could run. Both extensions
 * come here: the portable one after validation, the build-compatible one when its {@code LeaderElector} bean is
 * first made (at start-up); only where the DataSource may come from differs
 * ({@link DataSourceLocator#locate(BeanManager, HighlanderSettings, java.util.Optional, boolean)}).
 */
public final class NodeBootstrap {

    private static final System.Logger LOG = System.getLogger(NodeBootstrap.class.getName());
    /** How long the check for a transaction pooler waits for a second connection. */
    private static final Duration SECOND_CONNECTION_WAIT = Duration.ofSeconds(2);

    private NodeBootstrap() {
    }

    /**
     * Sets up a node of the portable extension, which never takes a default DataSource bean on trust.
     *
     * @param beanManager the application's bean manager
     * @param definitions the singletons the application declared
     * @param beans       their beans, by class
     * @param context     the context they live in
     * @return the node's elections, not yet started
     * @throws IllegalStateException with a message that says what is wrong and how to fix it
     */
    static Elections prepare(BeanManager beanManager, List<SingletonDefinition> definitions,
                             Map<Class<?>, Bean<?>> beans, ClusterSingletonContext context) {
        return prepare(beanManager, definitions, beans, context, false);
    }

    /**
     * @param beanManager      the application's bean manager
     * @param definitions      the singletons the application declared
     * @param beans            their beans, by class
     * @param context          the context they live in
     * @param containerDefault whether the application's own default (or {@code highlander.datasource.name}d)
     *                         DataSource bean serves when nothing else is configured: only under the
     *                         build-compatible extension (Quarkus)
     * @return the node's elections, not yet started
     * @throws IllegalStateException with a message that says what is wrong and how to fix it
     */
    public static Elections prepare(BeanManager beanManager, List<SingletonDefinition> definitions,
                                    Map<Class<?>, Bean<?>> beans, ClusterSingletonContext context,
                                    boolean containerDefault) {
        HighlanderSettings settings = settings(beanManager);
        Map<String, Bean<?>> singletons = new TreeMap<>();
        for (SingletonDefinition definition : definitions) {
            if (definition.beanClass() == null) {
                singletons.put(definition.name(), null); // a bean-less election: @LeaderOnly names it
            } else if (beans.containsKey(definition.beanClass())) {
                singletons.put(definition.name(), beans.get(definition.beanClass()));
            } // else vetoed or not a managed bean
        }
        ConnectionSource connections = noConnections();
        LifecycleThreads threads = LifecycleThreads.forApplication();
        if (!singletons.isEmpty()) {
            connections = DataSourceLocator.locate(beanManager, settings,
                    SettingsSource.forApplication(Thread.currentThread().getContextClassLoader())
                            .value(io.highlander.cdi.internal.config.SettingKeys.DATASOURCE_NAME), containerDefault);
            checkDatabase(connections, threads);
        }
        Elections elections = new Elections(settings, connections, singletons, context, beanManager, threads);
        elections.probeWith(NodeTally.of(beanManager));
        return elections;
    }

    /**
     * What else keeps a node whose declarations are already refused from starting, found without a connection (the
     * database is looked at once the deployment can start): its settings, and where its DataSource comes from.
     *
     * @param beanManager the application's bean manager
     * @param definitions the singletons the application declared
     * @return the problems, each with a message that says what is wrong and how to fix it
     */
    static List<IllegalStateException> configurationProblems(BeanManager beanManager,
                                                             List<SingletonDefinition> definitions) {
        HighlanderSettings settings;
        try {
            settings = settings(beanManager);
        } catch (IllegalStateException e) {
            return List.of(e);
        }
        if (definitions.isEmpty()) {
            return List.of();
        }
        try {
            DataSourceLocator.locate(beanManager, settings,
                    SettingsSource.forApplication(Thread.currentThread().getContextClassLoader())
                            .value(io.highlander.cdi.internal.config.SettingKeys.DATASOURCE_NAME), false);
            return List.of();
        } catch (IllegalStateException e) {
            return List.of(e);
        }
    }

    private static HighlanderSettings settings(BeanManager beanManager) {
        Set<Bean<?>> produced = beanManager.getBeans(HighlanderSettings.class);
        if (produced.size() > 1) {
            throw new IllegalStateException(Messages.ambiguousSettingsBeans(produced.size()));
        }
        try {
            if (produced.size() == 1) {
                Bean<?> bean = produced.iterator().next();
                return (HighlanderSettings) beanManager.getReference(bean, HighlanderSettings.class,
                        beanManager.createCreationalContext(bean));
            }
            return SettingsSource.forApplication(Thread.currentThread().getContextClassLoader()).load();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Fails the deployment on a database that can never work (authentication, unknown database, not PostgreSQL
     * 14+, a replica, a transaction pooler, a pool that cannot make any connection); only warns about a server
     * that will be back: down, unreachable, out of connection slots or starting up.
     */
    private static void checkDatabase(ConnectionSource connections, LifecycleThreads threads) {
        String source = connections.description();
        try (Connection connection = connections.connect()) {
            ServerInfo server = LockSession.inspect(connection, source);
            requireOwnBackend(connections, server, threads);
        } catch (UnsuitableServerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (SQLException e) {
            switch (ConnectFailure.of(e)) {
                case REJECTED -> throw new IllegalStateException(Messages.databaseRejected(source,
                        ConnectFailure.sqlState(e), ConnectFailure.describe(e)), e);
                case UNKNOWN -> throw new IllegalStateException(Messages.noConnectionAtAll(source, e.toString()), e);
                case BUSY -> LOG.log(System.Logger.Level.WARNING, Messages.databaseBusy(source,
                        ConnectFailure.sqlState(e), ConnectFailure.describe(e)));
                case UNREACHABLE -> LOG.log(System.Logger.Level.WARNING, Messages.databaseUnavailable(source,
                        ConnectFailure.describe(e)));
            }
        }
    }

    /**
     * Fails fast behind a pooler in transaction mode: two connections open at the same time that report one
     * backend can only be a pooler handing one server session to two clients (PG-SEMANTICS §8, detector 1).
     * The second connection is taken on a thread of its own, outside any transaction of the deploying thread,
     * because an application server may legitimately share one physical connection between two handles of the
     * same transaction. A pool that has no second connection to spare within a short wait is not held up: the
     * lock sessions' own detectors remain.
     */
    private static void requireOwnBackend(ConnectionSource connections, ServerInfo first, LifecycleThreads threads) {
        // Borrowed, used and given back on that thread alone: some pools (Open Liberty's) bind a handle to the
        // thread that borrowed it and fail when another thread uses it.
        CompletableFuture<Integer> secondBackend = new CompletableFuture<>();
        threads.newThread("highlander-backend-check", () -> {
            try (Connection connection = connections.connect()) {
                secondBackend.complete(LockSession.inspect(connection, connections.description()).backendPid());
            } catch (SQLException | RuntimeException e) {
                secondBackend.completeExceptionally(e); // the first connection was fine; the lock sessions will see
            }
        }).start();
        int other;
        try {
            other = secondBackend.get(SECOND_CONNECTION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (other == first.backendPid()) {
            throw new IllegalStateException(Messages.poolerSharedBackend(connections.description(), first.backendPid()));
        }
    }

    private static ConnectionSource noConnections() {
        return new ConnectionSource() {
            @Override
            public Connection connect() throws SQLException {
                throw new SQLException("no cluster singletons, no connections");
            }

            @Override
            public String description() {
                return "none";
            }
        };
    }
}
