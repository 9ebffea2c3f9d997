package io.highlander.cdi.internal.datasource;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.Messages;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.util.AnnotationLiteral;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Finds where lock connections come from, in this order: a {@link DataSource} bean qualified
 * {@link HighlanderDataSource}; the JNDI name {@code highlander.datasource.jndi}; the JDBC URL
 * {@code highlander.datasource.url}. Nothing found is a deployment error, never a silent default.
 */
public final class DataSourceLocator {

    private DataSourceLocator() {
    }

    /**
     * @param beanManager the application's bean manager (after bean discovery)
     * @param settings    this node's settings
     * @return the connection source
     * @throws IllegalStateException with a message that says what is missing and how to fix it
     */
    public static ConnectionSource locate(BeanManager beanManager, HighlanderSettings settings) {
        Set<Bean<?>> beans = beanManager.getBeans(DataSource.class, Qualified.INSTANCE);
        if (beans.size() > 1) {
            throw new IllegalStateException(Messages.ambiguousDataSourceBeans(beans.size()));
        }
        if (beans.size() == 1) {
            Bean<?> bean = beans.iterator().next();
            DataSource dataSource = (DataSource) beanManager.getReference(bean, DataSource.class,
                    beanManager.createCreationalContext(bean));
            return of(dataSource, "@HighlanderDataSource bean " + bean.getBeanClass().getName());
        }
        if (settings.dataSourceJndiName() != null) {
            return lookup(settings.dataSourceJndiName());
        }
        if (settings.jdbcUrl() != null) {
            return url(settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword());
        }
        throw new IllegalStateException(Messages.noDataSource());
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

    private static ConnectionSource url(String url, String user, String password) {
        try {
            DriverManager.getDriver(url);
        } catch (SQLException e) {
            throw new IllegalStateException(Messages.noJdbcDriver(url), e);
        }
        String description = Messages.redactUrl(url);
        return new ConnectionSource() {
            @Override
            public Connection connect() throws SQLException {
                Properties properties = new Properties();
                if (user != null) {
                    properties.setProperty("user", user);
                }
                if (password != null) {
                    properties.setProperty("password", password);
                }
                return DriverManager.getConnection(url, properties);
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
