package io.highlander.cdi.internal;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.config.SettingsSource;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.datasource.DataSourceLocator;
import io.highlander.cdi.internal.discovery.SingletonDefinition;
import io.highlander.cdi.internal.election.Elections;
import io.highlander.cdi.internal.lock.LockSession;
import io.highlander.cdi.internal.lock.UnsuitableServerException;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sets a node up once the deployment is valid: settings, DataSource, a first look at the database, then
 * the {@link Elections}. Every misconfiguration surfaces here, before any singleton could run.
 */
final class NodeBootstrap {

    private static final System.Logger LOG = System.getLogger(NodeBootstrap.class.getName());

    private NodeBootstrap() {
    }

    /**
     * @return the node's elections, not yet started
     * @throws IllegalStateException with a message that says what is wrong and how to fix it
     */
    static Elections prepare(BeanManager beanManager, List<SingletonDefinition> definitions,
                             Map<Class<?>, Bean<?>> beans, ClusterSingletonContext context) {
        HighlanderSettings settings = settings(beanManager);
        Map<String, Bean<?>> singletons = new TreeMap<>();
        definitions.forEach(definition -> singletons.put(definition.name(), beans.get(definition.beanClass())));
        singletons.values().removeIf(java.util.Objects::isNull); // vetoed or not a managed bean
        ConnectionSource connections = noConnections();
        if (!singletons.isEmpty()) {
            connections = DataSourceLocator.locate(beanManager, settings);
            checkDatabase(connections);
        }
        return new Elections(settings, connections, singletons, context, beanManager, LifecycleThreads.forApplication());
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
     * Fails the deployment on a database that can never work; only warns if it is merely down. Pools wrap
     * the driver's exception (Payara: an SQLException without SQLState), so the whole cause chain counts.
     */
    private static void checkDatabase(ConnectionSource connections) {
        try (Connection connection = connections.connect()) {
            LockSession.inspect(connection, connections.description());
        } catch (UnsuitableServerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (SQLException e) {
            String state = sqlState(e);
            if (state.startsWith("28") || state.equals("3D000")) {
                throw new IllegalStateException(Messages.databaseRejected(connections.description(), state,
                        e.getMessage()), e);
            }
            if (!state.startsWith("08") && !networkFailure(e)) {
                throw new IllegalStateException(Messages.noConnectionAtAll(connections.description(), e.toString()), e);
            }
            LOG.log(System.Logger.Level.WARNING, Messages.databaseUnavailable(connections.description(), e.getMessage()));
        }
    }

    /** @return the first SQLState in the chain of causes, or "" */
    private static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = next(t)) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return "";
    }

    private static boolean networkFailure(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = next(t)) {
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable next(Throwable t) {
        if (t.getCause() != null) {
            return t.getCause();
        }
        return t instanceof SQLException sql ? sql.getNextException() : null;
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
