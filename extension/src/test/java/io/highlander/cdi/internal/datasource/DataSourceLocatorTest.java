package io.highlander.cdi.internal.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.Messages;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.inject.Singleton;
import java.lang.annotation.Annotation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * Where lock connections come from when nothing names them: the application's own DataSource beans serve only
 * under the build-compatible extension (Quarkus), and never silently elsewhere.
 */
class DataSourceLocatorTest {

    private static final HighlanderSettings SETTINGS = HighlanderSettings.builder().nodeId("a").build();

    @Test
    void aDefaultDataSourceBeanIsNotTakenOnTrustByThePortableExtension() {
        try (WeldContainer container = container(Map.of(new JdbcDataSource(), Default.Literal.INSTANCE))) {
            assertThatThrownBy(() -> DataSourceLocator.locate(container.getBeanManager(), SETTINGS))
                    .hasMessage(Messages.noDataSource());
        }
    }

    @Test
    void aDataSourceNameOutsideQuarkusFailsRatherThanBeingIgnored() {
        try (WeldContainer container = container(Map.of(new JdbcDataSource(), NamedLiteral.of("users")))) {
            assertThatThrownBy(() -> DataSourceLocator.locate(container.getBeanManager(), SETTINGS,
                    Optional.of("users"), false))
                    .hasMessage("HL-0319: highlander.datasource.name 'users' names a Quarkus datasource, which only"
                            + " Highlander's build-compatible extension (Quarkus) reads; in this container produce a"
                            + " DataSource bean with @HighlanderDataSource, or set highlander.datasource.jndi or"
                            + " highlander.datasource.url.");
        }
    }

    @Test
    void inQuarkusTheSingleDefaultDataSourceBeanServes() throws Exception {
        JdbcDataSource h2 = h2("default");
        try (WeldContainer container = container(Map.of(h2, Default.Literal.INSTANCE))) {
            ConnectionSource source = DataSourceLocator.locate(container.getBeanManager(), SETTINGS, Optional.empty(),
                    true);
            assertThat(source.description()).isEqualTo("the default DataSource bean");
            try (var connection = source.connect()) {
                assertThat(connection.getMetaData().getURL()).isEqualTo(h2.getURL());
            }
        }
    }

    @Test
    void inQuarkusTheNamedDataSourceServes() throws Exception {
        JdbcDataSource users = h2("users");
        Map<DataSource, Annotation> beans = new LinkedHashMap<>();
        beans.put(h2("default"), Default.Literal.INSTANCE);
        beans.put(users, NamedLiteral.of("users"));
        try (WeldContainer container = container(beans)) {
            ConnectionSource source = DataSourceLocator.locate(container.getBeanManager(), SETTINGS,
                    Optional.of("users"), true);
            assertThat(source.description()).isEqualTo("the DataSource bean named 'users'");
            try (var connection = source.connect()) {
                assertThat(connection.getMetaData().getURL()).isEqualTo(users.getURL());
            }
        }
    }

    @Test
    void inQuarkusANameThatNamesNoDataSourceFails() {
        try (WeldContainer container = container(Map.of(h2("default"), Default.Literal.INSTANCE))) {
            assertThatThrownBy(() -> DataSourceLocator.locate(container.getBeanManager(), SETTINGS,
                    Optional.of("orders"), true))
                    .hasMessage("HL-0316: highlander.datasource.name is 'orders' but the application has no DataSource"
                            + " bean of that name; configure quarkus.datasource.\"orders\".db-kind=postgresql and its"
                            + " jdbc.url, or correct highlander.datasource.name.");
        }
    }

    @Test
    void inQuarkusNoDefaultDataSourceFails() {
        try (WeldContainer container = container(Map.of())) {
            assertThatThrownBy(() -> DataSourceLocator.locate(container.getBeanManager(), SETTINGS, Optional.empty(),
                    true))
                    .hasMessage("HL-0317: no DataSource for the cluster singletons' locks: the application has no"
                            + " default DataSource bean; configure Quarkus' default datasource"
                            + " (quarkus.datasource.db-kind=postgresql and quarkus.datasource.jdbc.url), or name another"
                            + " with highlander.datasource.name, or produce a DataSource bean with @HighlanderDataSource.");
        }
    }

    @Test
    void inQuarkusTwoDefaultDataSourcesAreNotGuessedBetween() {
        Map<DataSource, Annotation> beans = new LinkedHashMap<>();
        beans.put(h2("one"), Default.Literal.INSTANCE);
        beans.put(h2("two"), Default.Literal.INSTANCE);
        try (WeldContainer container = container(beans)) {
            assertThatThrownBy(() -> DataSourceLocator.locate(container.getBeanManager(), SETTINGS, Optional.empty(),
                    true))
                    .hasMessage("HL-0318: the application has 2 default DataSource beans, so Highlander cannot tell"
                            + " which one holds its locks; name one with highlander.datasource.name, or produce one"
                            + " with @HighlanderDataSource.");
        }
    }

    @Test
    void inQuarkusADataSourceBeanThatCannotBeMadeFailsWithItsReason() {
        try (WeldContainer container = new Weld("locator-" + System.nanoTime()).disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(Anchor.class)
                .addExtension(new InactiveDataSource())
                .initialize()) {
            assertThatThrownBy(() -> DataSourceLocator.locate(container.getBeanManager(), SETTINGS, Optional.empty(),
                    true))
                    .hasMessage("HL-0216: the default DataSource bean cannot be used (Bean is not active. Reason:"
                            + " the URL is not set.); configure it (quarkus.datasource.* for Quarkus' datasources), or"
                            + " name another with highlander.datasource.name.");
        }
    }

    /** A default DataSource bean that refuses to be made, as Quarkus' datasource without a URL does. */
    private static final class InactiveDataSource implements Extension {
        void addBeans(@Observes AfterBeanDiscovery event) {
            event.addBean().beanClass(InactiveDataSource.class).types(DataSource.class, Object.class)
                    .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE).scope(Singleton.class)
                    .createWith(context -> {
                        throw new IllegalStateException(new IllegalStateException(
                                "Bean is not active.\nReason: the URL is not set.\nTo avoid this exception: ..."));
                    });
        }
    }

    private static JdbcDataSource h2(String name) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + name + System.nanoTime());
        return dataSource;
    }

    /** A container whose only beans are the given DataSources, each with its qualifier. */
    private static WeldContainer container(Map<DataSource, Annotation> dataSources) {
        return new Weld("locator-" + System.nanoTime()).disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(Anchor.class) // Weld SE wants at least one class
                .addExtension(new DataSourceBeans(dataSources))
                .initialize();
    }

    /** A bean with nothing to do. */
    static final class Anchor {
    }

    private static final class DataSourceBeans implements Extension {
        private final Map<DataSource, Annotation> dataSources;

        DataSourceBeans(Map<DataSource, Annotation> dataSources) {
            this.dataSources = dataSources;
        }

        void addBeans(@Observes AfterBeanDiscovery event) {
            dataSources.forEach((dataSource, qualifier) -> event.addBean().beanClass(DataSourceBeans.class)
                    .types(DataSource.class, Object.class).qualifiers(qualifier, Any.Literal.INSTANCE)
                    .scope(Singleton.class).createWith(context -> dataSource));
        }
    }
}
