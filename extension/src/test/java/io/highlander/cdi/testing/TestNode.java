package io.highlander.cdi.testing;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderElector;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Singleton;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * One node of a test cluster: a Weld SE container with its own settings and DataSource, given as beans
 * (no system properties, so several nodes share one JVM without seeing each other).
 */
public final class TestNode implements AutoCloseable {

    private final String id;
    private final WeldContainer container;

    private TestNode(String id, WeldContainer container) {
        this.id = id;
        this.container = container;
    }

    /**
     * Starts a node.
     *
     * @param settings    the node's settings (its node id names the container), or {@code null} to let the
     *                    library read them from system properties and the environment
     * @param dataSource  where its lock connections come from, or {@code null} for none
     * @param shared      objects to offer as beans of their own class (e.g. a history all nodes write to)
     * @param beanClasses the application's bean classes
     * @return the running node
     */
    public static TestNode start(HighlanderSettings settings, DataSource dataSource, Map<Class<?>, Object> shared,
                                 Class<?>... beanClasses) {
        String id = settings == null ? "default" : settings.nodeId();
        Weld weld = new Weld("node-" + id + "-" + System.nanoTime())
                .disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(beanClasses)
                .addExtension(new NodeBeans(settings, dataSource, shared))
                .addExtension(new io.highlander.cdi.internal.HighlanderExtension());
        return new TestNode(id, weld.initialize());
    }

    /** @return the node's id */
    public String id() {
        return id;
    }

    /** @return the node's elector */
    public LeaderElector elector() {
        return container.select(LeaderElector.class).get();
    }

    /**
     * @param type a bean type
     * @param <T>  the type
     * @return a (proxied) reference to the bean
     */
    public <T> T bean(Class<T> type) {
        return container.select(type).get();
    }

    /** @return the Weld container, for lookups the other methods do not cover */
    public WeldContainer container() {
        return container;
    }

    /** @return whether the container still runs */
    public boolean running() {
        return container.isRunning();
    }

    @Override
    public void close() {
        if (container.isRunning()) {
            container.shutdown();
        }
    }

    @Override
    public String toString() {
        return "node " + id;
    }

    /** Offers the node's settings, DataSource and shared objects as beans. */
    private static final class NodeBeans implements Extension {
        private final HighlanderSettings settings;
        private final DataSource dataSource;
        private final Map<Class<?>, Object> shared;

        NodeBeans(HighlanderSettings settings, DataSource dataSource, Map<Class<?>, Object> shared) {
            this.settings = settings;
            this.dataSource = dataSource;
            this.shared = shared;
        }

        void addBeans(@Observes AfterBeanDiscovery event) {
            if (settings != null) {
                event.addBean().beanClass(TestNode.class).types(HighlanderSettings.class, Object.class)
                        .scope(Singleton.class).createWith(context -> settings);
            }
            if (dataSource != null) {
                event.addBean().beanClass(TestNode.class).types(DataSource.class, Object.class)
                        .qualifiers(new HighlanderDataSourceLiteral(), Any.Literal.INSTANCE)
                        .scope(Singleton.class).createWith(context -> dataSource);
            }
            shared.forEach((type, object) -> event.addBean().beanClass(TestNode.class).types(type, Object.class)
                    .scope(Singleton.class).createWith(context -> object));
        }
    }

    private static final class HighlanderDataSourceLiteral extends AnnotationLiteral<HighlanderDataSource>
            implements HighlanderDataSource {
        private static final long serialVersionUID = 1L;
    }
}
