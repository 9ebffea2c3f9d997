package io.highlander.cdi.internal.lite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.leaderonly.Archive;
import io.highlander.cdi.leaderonly.Sweeper;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import javax.sql.DataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * The build-compatible extension alone (as in Quarkus, here run by Weld's translator without the portable one) finds
 * the {@code @LeaderOnly} names, elects the bean-less ones, offers {@code @OfSingleton} {@link Leadership} and applies
 * the portable extension's rules with its messages.
 */
class BuildCompatibleLeaderOnlyTest {

    @Test
    void aBeanlessElectionIsFoundElectedAndGuardsItsMethods() {
        History history = new History();
        try (WeldContainer container = liteOnly(history, Sweeper.class, Archive.class).initialize()) {
            LeaderElector elector = container.select(LeaderElector.class).get();
            await().atMost(Duration.ofSeconds(20)).until(() -> elector.isLeader("sweep") && elector.isLeader("archive"));

            container.select(Sweeper.class).get().sweep();

            long token = elector.checkLeadership("sweep");
            assertThat(history.entries("sweep")).containsExactly(new History.Entry("lite", "sweep", token));
            assertThat(elector.status()).extracting(status -> status.singleton()).containsExactly("archive", "sweep");
            assertThat(container.select(Leadership.class, OfSingleton.Literal.of("sweep")).get().check())
                    .isEqualTo(token);
            assertThat(container.select(Archive.class).get().leadership().check())
                    .isEqualTo(elector.checkLeadership("archive"));
        }
    }

    @Test
    void aBlankNameAndAnUnqualifiedLeadershipOutsideASingletonFailTheDeploymentWithTheSameMessages() {
        Throwable thrown = catchThrowable(() -> liteOnly(new History(), BlankName.class, NotASingleton.class)
                .initialize().close());

        StringBuilder messages = new StringBuilder();
        for (Throwable t = thrown; t != null && t.getCause() != t; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertThat(messages.toString())
                .contains("HL-0110: @LeaderOnly on " + BlankName.class.getName() + ".run() has a blank name;")
                .contains("HL-0111: Leadership is injected into " + NotASingleton.class.getName() + ".leadership,"
                        + " which is not a @ClusterSingleton, without a name;");
    }

    private static Weld liteOnly(History history, Class<?>... beanClasses) {
        DataSource dataSource = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());
        return new Weld("lite-only-" + System.nanoTime())
                .disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(beanClasses)
                .addExtension(new Beans(history, dataSource))
                .addBuildCompatibleExtensions(HighlanderBuildExtension.class);
    }

    @ApplicationScoped
    static class BlankName {
        @LeaderOnly("")
        void run() {
        }
    }

    @ApplicationScoped
    static class NotASingleton {
        @Inject
        Leadership leadership;
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
                    .createWith(context -> HighlanderSettings.builder().nodeId("lite").lease(Duration.ofSeconds(2))
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
