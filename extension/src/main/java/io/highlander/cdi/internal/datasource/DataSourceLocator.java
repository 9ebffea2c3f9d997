package io.highlander.cdi.internal.datasource;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.threads.CancelThreads;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.util.AnnotationLiteral;
import java.lang.annotation.Annotation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Finds where lock connections come from, in this order: a {@link DataSource} bean qualified
 * {@link HighlanderDataSource}; the JNDI name {@code highlander.datasource.jndi}; the JDBC URL
 * {@code highlander.datasource.url}. Nothing found is a deployment error, never a silent default.
 *
 * <p>One exception, only where Highlander runs through its build-compatible extension (Quarkus), whose
 * applications configure exactly one datasource per name ({@code quarkus.datasource.*}) and expect libraries to
 * use it: there, after the three above, the {@link DataSource} bean named by {@code highlander.datasource.name}
 * (a named Quarkus datasource), or else the application's single default {@link DataSource} bean, serves. In
 * every other container a default {@link DataSource} bean is never taken on trust (it may well point somewhere
 * the application did not mean for its locks), and {@code highlander.datasource.name} is an error there rather
 * than a setting silently ignored.
 */
public final class DataSourceLocator {

    /** Quarkus' name for its default datasource, accepted in {@code highlander.datasource.name}. */
    private static final String DEFAULT_NAME = "<default>";
    /** Qualifiers that name a DataSource bean by their {@code value()}. */
    private static final Set<String> NAMING_QUALIFIERS = Set.of("io.quarkus.agroal.DataSource", "jakarta.inject.Named");

    private DataSourceLocator() {
    }

    /**
     * Finds the connections the way every container but Quarkus does: no default bean taken on trust.
     *
     * @param beanManager the application's bean manager (after bean discovery)
     * @param settings    this node's settings
     * @return the connection source
     * @throws IllegalStateException with a message that says what is missing and how to fix it
     */
    public static ConnectionSource locate(BeanManager beanManager, HighlanderSettings settings) {
        return locate(beanManager, settings, Optional.empty(), false);
    }

    /**
     * @param beanManager      the application's bean manager (after bean discovery)
     * @param settings         this node's settings
     * @param dataSourceName   {@code highlander.datasource.name}, if set
     * @param containerDefault whether the application's own DataSource beans serve when nothing else is named:
     *                         true only under the build-compatible extension (Quarkus)
     * @return the connection source
     * @throws IllegalStateException with a message that says what is missing and how to fix it
     */
    public static ConnectionSource locate(BeanManager beanManager, HighlanderSettings settings,
                                          Optional<String> dataSourceName, boolean containerDefault) {
        if (dataSourceName.isPresent() && !containerDefault) {
            throw new IllegalStateException(Messages.dataSourceNameNotHere(dataSourceName.get()));
        }
        Set<Bean<?>> beans = beanManager.getBeans(DataSource.class, Qualified.INSTANCE);
        if (beans.size() > 1) {
            throw new IllegalStateException(Messages.ambiguousDataSourceBeans(beans.size()));
        }
        if (beans.size() == 1) {
            return bean(beanManager, beans.iterator().next(),
                    "@HighlanderDataSource bean " + beans.iterator().next().getBeanClass().getName());
        }
        if (settings.dataSourceJndiName() != null) {
            return lookup(settings.dataSourceJndiName());
        }
        if (settings.jdbcUrl() != null) {
            return url(settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword(),
                    ConnectBounds.forLease(settings.lease()));
        }
        if (containerDefault) {
            return dataSourceName.filter(name -> !name.equals(DEFAULT_NAME))
                    .map(name -> named(beanManager, name))
                    .orElseGet(() -> containerDefault(beanManager));
        }
        throw new IllegalStateException(Messages.noDataSource());
    }

    /** The single DataSource bean with the default qualifier: in Quarkus, the default datasource. */
    private static ConnectionSource containerDefault(BeanManager beanManager) {
        Set<Bean<?>> beans = beanManager.getBeans(DataSource.class);
        if (beans.isEmpty()) {
            throw new IllegalStateException(Messages.noContainerDataSource());
        }
        if (beans.size() > 1) {
            throw new IllegalStateException(Messages.ambiguousContainerDataSources(beans.size()));
        }
        return containerBean(beanManager, beans.iterator().next(), "the default DataSource bean");
    }

    /**
     * The DataSource bean whose qualifier names it: Quarkus' {@code @io.quarkus.agroal.DataSource("name")}, read
     * by reflection so that Highlander has no Quarkus dependency, or {@code @Named("name")}.
     */
    private static ConnectionSource named(BeanManager beanManager, String name) {
        for (Bean<?> bean : beanManager.getBeans(DataSource.class, Any.Literal.INSTANCE)) {
            for (Annotation qualifier : bean.getQualifiers()) {
                if (NAMING_QUALIFIERS.contains(qualifier.annotationType().getName()) && name.equals(value(qualifier))) {
                    return containerBean(beanManager, bean, "the DataSource bean named '" + name + "'");
                }
            }
        }
        throw new IllegalStateException(Messages.namedDataSourceNotFound(name));
    }

    private static Object value(Annotation qualifier) {
        try {
            return qualifier.annotationType().getMethod("value").invoke(qualifier);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A DataSource bean the container made from its configuration, which may refuse to be made: Quarkus deactivates
     * a datasource whose URL is not set, and says so on the first call through the bean's client proxy, which is
     * made here rather than in the middle of the first database check. Its reason (the first lines of the innermost failure) goes into the message.
     */
    private static ConnectionSource containerBean(BeanManager beanManager, Bean<?> bean, String description) {
        try {
            DataSource dataSource = (DataSource) beanManager.getReference(bean, DataSource.class,
                    beanManager.createCreationalContext(bean));
            try {
                dataSource.isWrapperFor(DataSource.class); // a normal-scoped bean is made on its first call
            } catch (SQLException e) {
                // made, and no wrapper: all we wanted to know
            }
            return of(dataSource, description);
        } catch (RuntimeException e) {
            Throwable innermost = e;
            while (innermost.getCause() != null && innermost.getCause() != innermost) {
                innermost = innermost.getCause();
            }
            String reason = String.valueOf(innermost.getMessage()).lines().limit(2)
                    .collect(java.util.stream.Collectors.joining(" "));
            throw new IllegalStateException(Messages.containerDataSourceUnusable(description, reason), e);
        }
    }

    private static ConnectionSource bean(BeanManager beanManager, Bean<?> bean, String description) {
        DataSource dataSource = (DataSource) beanManager.getReference(bean, DataSource.class,
                beanManager.createCreationalContext(bean));
        return of(dataSource, description);
    }

    /**
     * @param dataSource  a DataSource
     * @param description what it is, for messages
     * @return a source of its connections
     */
    public static ConnectionSource of(DataSource dataSource, String description) {
        return new ConnectionSource() {
            @Override
            public Connection connect() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public String description() {
                return description;
            }
        };
    }

    private static ConnectionSource lookup(String jndiName) {
        Object found;
        try {
            found = new InitialContext().lookup(jndiName);
        } catch (NamingException | RuntimeException e) {
            throw new IllegalStateException(Messages.jndiNameNotFound(jndiName, e.getClass().getSimpleName()), e);
        }
        if (!(found instanceof DataSource dataSource)) {
            throw new IllegalStateException(Messages.jndiNotADataSource(jndiName,
                    found == null ? "null" : found.getClass().getName()));
        }
        return of(dataSource, "'" + jndiName + "'");
    }

    /**
     * The driver's connections from a URL, every wait of a connect bounded ({@link ConnectBounds}); the hosts of a
     * multi-host URL raced ({@link HostRace}), so that a silent host costs nothing once another answers.
     */
    private static ConnectionSource url(String url, String user, String password, ConnectBounds bounds) {
        try {
            DriverManager.getDriver(url);
        } catch (SQLException e) {
            throw new IllegalStateException(Messages.noJdbcDriver(url), e);
        }
        String description = Messages.redactUrl(url);
        HostRace.Connector driver = DriverManager::getConnection;
        HostRace.Connector connector = MultiHostUrl.split(url)
                .<HostRace.Connector>map(hosts -> {
                    HostRace race = new HostRace(hosts, driver, CancelThreads.CONNECTS);
                    return (whole, properties) -> race.connect(properties);
                })
                .orElse(driver);
        return new ConnectionSource() {
            @Override
            public Connection connect() throws SQLException {
                Properties properties = bounds.addTo(new Properties()); // the URL's own values win
                if (user != null) {
                    properties.setProperty("user", user);
                }
                if (password != null) {
                    properties.setProperty("password", password);
                }
                return connector.connect(url, properties);
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public boolean pooled() {
                return false;
            }
        };
    }

    /** The {@link HighlanderDataSource} qualifier, for lookup. */
    private static final class Qualified extends AnnotationLiteral<HighlanderDataSource> implements HighlanderDataSource {
        private static final long serialVersionUID = 1L;
        static final Qualified INSTANCE = new Qualified();
    }
}
