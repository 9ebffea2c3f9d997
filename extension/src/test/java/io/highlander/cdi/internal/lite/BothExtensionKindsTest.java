package io.highlander.cdi.internal.lite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.SingletonState;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.internal.HighlanderExtension;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestPostgres;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.build.compatible.spi.BuildCompatibleExtension;
import jakarta.enterprise.inject.build.compatible.spi.SkipIfPortableExtensionPresent;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import javax.sql.DataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * The jar declares both kinds of extension. A container that runs both (Weld with its lite-extension translator:
 * Weld SE here, WildFly alike) must register everything once: one context, one {@link LeaderElector}, one election
 * per singleton. Both extensions are given to Weld the way a server finds them, through their service entries.
 */
class BothExtensionKindsTest {

    @Test
    void theJarDeclaresBothKindsAndTheBuildCompatibleOneStepsAsideForThePortableOne() {
        assertThat(ServiceLoader.load(Extension.class).stream().map(ServiceLoader.Provider::type))
                .contains(HighlanderExtension.class);
        assertThat(ServiceLoader.load(BuildCompatibleExtension.class).stream().map(ServiceLoader.Provider::type))
                .contains(HighlanderBuildExtension.class);
        assertThat(HighlanderBuildExtension.class.getAnnotation(SkipIfPortableExtensionPresent.class).value())
                .isEqualTo(HighlanderExtension.class);
    }

    @Test
    void weldWithBothExtensionsDeploysOneLeaderElectorAndOneElectionPerSingleton() {
        History history = new History();
        DataSource dataSource = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());
        Weld weld = new Weld("both-kinds-" + System.nanoTime())
                .disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(Ticker.class)
                .addExtension(new Beans(history, dataSource));
        ServiceLoader.load(Extension.class).forEach(weld::addExtension);
        ServiceLoader.load(BuildCompatibleExtension.class).stream()
                .forEach(provider -> weld.addBuildCompatibleExtensions(provider.type()));
        try (WeldContainer container = weld.initialize()) {
            assertThat(container.getBeanManager().getBeans(LeaderElector.class)).hasSize(1);
            LeaderElector elector = container.select(LeaderElector.class).get();
            await().atMost(Duration.ofSeconds(20)).until(() -> elector.isLeader("ticker"));
            assertThat(container.select(Ticker.class).get().node()).isEqualTo("both");
            assertThat(elector.status()).singleElement()
                    .satisfies(status -> assertThat(status.state()).isEqualTo(SingletonState.LEADING));
            assertThat(nodeLockThreads()).as("lock threads of the node (one for all its elections)").hasSize(1);
            assertThat(history.entries("start")).hasSize(1);
        }
    }

    private static List<Thread> nodeLockThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("highlander-node-lock") && thread.isAlive()).toList();
    }

    /** The node's settings, DataSource and history, as beans. */
    private static final class Beans implements Extension {
        private final History history;
        private final DataSource dataSource;

        Beans(History history, DataSource dataSource) {
            this.history = history;
            this.dataSource = dataSource;
        }

        void addBeans(@Observes AfterBeanDiscovery event) {
            event.addBean().beanClass(Beans.class).types(HighlanderSettings.class, Object.class).scope(Singleton.class)
                    .createWith(context -> HighlanderSettings.builder().nodeId("both").lease(Duration.ofSeconds(2))
                            .build());
            event.addBean().beanClass(Beans.class).types(DataSource.class, Object.class)
                    .qualifiers(new Qualified(), Any.Literal.INSTANCE).scope(Singleton.class)
                    .createWith(context -> dataSource);
            event.addBean().beanClass(Beans.class).types(History.class, Object.class).scope(Singleton.class)
                    .createWith(context -> history);
        }
    }

    private static final class Qualified extends AnnotationLiteral<HighlanderDataSource> implements HighlanderDataSource {
        private static final long serialVersionUID = 1L;
    }
}
