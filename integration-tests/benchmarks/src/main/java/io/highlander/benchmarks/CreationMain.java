package io.highlander.benchmarks;

import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.lock.Lease;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.time.Duration;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The container's share of a takeover, in a JVM of its own (a first creation happens once per JVM): a Weld SE
 * container creates a singleton-like bean through {@link ClusterSingletonContext} as the lifecycle thread does
 * (open the context for a lease, make a creational context, {@code create}), twice, and prints
 * {@code CREATE <prepared> <first ns> <second ns> <prepare ns>}: the time from the creational context to the first
 * line of {@code @PostConstruct}, for the first and the second creation. With {@code -Dbench.creation.prepared=true}
 * the context first runs {@link ClusterSingletonContext#prepare} as a standby's warm-up does, and a pause lets the
 * JVM settle as a waiting standby's would.
 */
public final class CreationMain {

    private CreationMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean prepared = Boolean.getBoolean("bench.creation.prepared");
        WeldContainer container = new Weld("creation").disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(Singleton.class, Service.class, Helper.class).initialize();
        try {
            BeanManager beanManager = container.getBeanManager();
            @SuppressWarnings("unchecked")
            Bean<Object> bean = (Bean<Object>) beanManager.resolve(beanManager.getBeans(Singleton.class));
            ClusterSingletonContext context = new ClusterSingletonContext();
            context.register(bean, () -> new NotLeaderException("creation", null, "not leading"), Duration.ofSeconds(1),
                    () -> { });
            long prepareNanos = 0;
            if (prepared) {
                long start = System.nanoTime();
                context.prepare(bean, beanManager);
                prepareNanos = System.nanoTime() - start;
            }
            Thread.sleep(200); // a standby waits: whatever the JVM does in the background after start-up, it did
            System.out.println("MARK first");
            long first = create(context, bean, beanManager);
            System.out.println("MARK first done");
            context.takeInstance(bean).ifPresent(context::destroy);
            long second = create(context, bean, beanManager);
            System.out.println("CREATE " + prepared + " " + first + " " + second + " " + prepareNanos);
        } finally {
            container.shutdown();
        }
        System.exit(0);
    }

    /** @return nanoseconds from the creational context to the first line of {@code @PostConstruct} */
    private static long create(ClusterSingletonContext context, Bean<Object> bean, BeanManager beanManager) {
        Lease lease = new Lease(Duration.ofSeconds(10), Duration.ofSeconds(1), System::nanoTime);
        lease.begin(lease.now());
        context.open(bean, lease);
        long start = System.nanoTime();
        CreationalContext<Object> creational = beanManager.createCreationalContext(bean);
        if (!context.create(bean, creational, lease)) {
            throw new IllegalStateException("not created");
        }
        return Singleton.constructedAt - start;
    }

    /** Stands for a cluster singleton: an application-scoped service and a dependent helper injected. */
    @ApplicationScoped
    static class Singleton {
        static volatile long constructedAt;

        @Inject
        Service service;
        @Inject
        Helper helper;

        @PostConstruct
        void up() {
            constructedAt = System.nanoTime();
        }
    }

    /** A normal-scoped dependency: injected as a client proxy. */
    @ApplicationScoped
    static class Service {
        int work() {
            return 1;
        }
    }

    /** A dependent dependency: created with the singleton. */
    @Dependent
    static class Helper {
    }
}
