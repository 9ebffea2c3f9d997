package io.highlander.cdi.internal.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.lock.Lease;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterSingletonContext#prepare} is what a standby does for its bean while it waits: it must create no
 * instance of the singleton or of anything it injects, and run none of their code, not even a static initializer.
 */
class ClusterSingletonContextTest {

    /** What the application's code did, in order; static because a static initializer has nowhere else to write. */
    static final List<String> RAN = new ArrayList<>();

    @Test
    void prepareRunsNoUserCodeAndTheNextCreationWorks() {
        RAN.clear();
        try (WeldContainer container = new Weld("prepare-" + System.nanoTime()).disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(Prepared.class, Service.class, Helper.class).initialize()) {
            BeanManager beanManager = container.getBeanManager();
            @SuppressWarnings("unchecked")
            Bean<Object> bean = (Bean<Object>) beanManager.resolve(beanManager.getBeans(Prepared.class));
            ClusterSingletonContext context = new ClusterSingletonContext();
            context.register(bean, () -> new NotLeaderException("prepared", null, "not here"), Duration.ofSeconds(1),
                    () -> { });

            context.prepare(bean, beanManager);

            assertThat(RAN).as("code of the application run by prepare").isEmpty();
            Lease lease = new Lease(Duration.ofSeconds(10), Duration.ofSeconds(1), System::nanoTime);
            lease.begin(lease.now());
            context.open(bean, lease);
            assertThat(context.create(bean, beanManager.createCreationalContext(bean), lease)).isTrue();
            Prepared created = (Prepared) context.get(bean);
            assertThat(created.service.work()).isEqualTo(1);
            assertThat(RAN).containsExactly("Prepared static", "Prepared()", "Helper()", "Prepared @PostConstruct",
                    "Service()");
        }
    }

    @ApplicationScoped
    static class Prepared {
        static {
            RAN.add("Prepared static");
        }

        @Inject
        Service service;
        @Inject
        Helper helper;

        Prepared() {
            if (getClass() == Prepared.class) { // not the container's proxy subclass
                RAN.add("Prepared()");
            }
        }

        @PostConstruct
        void up() {
            RAN.add("Prepared @PostConstruct");
        }
    }

    @ApplicationScoped
    static class Service {
        Service() {
            if (getClass() == Service.class) {
                RAN.add("Service()");
            }
        }

        int work() {
            return 1;
        }
    }

    @Dependent
    static class Helper {
        Helper() {
            RAN.add("Helper()");
        }
    }
}
