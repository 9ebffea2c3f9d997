package io.highlander.cdi.internal;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.context.ClusterSingletonScoped;
import io.highlander.cdi.internal.discovery.DefinitionRules;
import io.highlander.cdi.internal.discovery.LeaderOnlyBindings;
import io.highlander.cdi.internal.discovery.SingletonDefinition;
import io.highlander.cdi.internal.election.Elections;
import io.highlander.cdi.internal.health.HealthChecks;
import io.highlander.cdi.internal.health.HealthSupport;
import io.highlander.cdi.internal.leaderonly.LeaderOnlyInterceptor;
import io.highlander.cdi.internal.leaderonly.LeadershipProducer;
import io.highlander.cdi.internal.metrics.LeadershipTally;
import io.highlander.cdi.internal.metrics.MetricsPublisher;
import io.highlander.cdi.internal.metrics.NodeTally;
import io.highlander.cdi.internal.threads.ShutdownLogging;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeShutdown;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.enterprise.inject.spi.WithAnnotations;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The portable extension: it only observes container events and hands over. It collects
 * {@code @ClusterSingleton} beans and checks them ({@link DefinitionRules}), moves them into the
 * {@link ClusterSingletonContext}, registers the {@link LeaderElector} bean, sets the node up after
 * validation ({@link NodeBootstrap}) and starts and stops the {@link Elections} with the application
 * ({@link NodeLifecycle}). No static state: several containers in one JVM are several nodes.
 *
 * <p>Problems with the declarations are collected during discovery but reported after validation, together with
 * what is wrong in the settings, as one deployment problem ({@link StartupProblems}): a definition error would stop
 * the container before the settings are read, and Weld would print each one inside a stack trace.
 */
public class HighlanderExtension implements Extension {

    private static final System.Logger LOG = System.getLogger(HighlanderExtension.class.getName());

    private final List<String> problems = new ArrayList<>();
    private final List<SingletonDefinition> definitions = new ArrayList<>();
    private final Set<String> leaderOnlyNames = new TreeSet<>();
    private final Map<Class<?>, Bean<?>> beans = new LinkedHashMap<>();
    private ClusterSingletonContext context;
    private volatile Elections elections;
    private volatile ShutdownLogging shutdownLogging;

    void registerLifecycle(@Observes BeforeBeanDiscovery event, BeanManager beanManager) {
        for (Class<?> type : List.of(NodeLifecycle.class, LeaderOnlyInterceptor.class, LeadershipProducer.class,
                LeadershipTally.class, NodeTally.class, MetricsPublisher.class)) {
            event.addAnnotatedType(beanManager.createAnnotatedType(type), type.getName());
        }
        if (HealthSupport.available()) {
            event.addAnnotatedType(beanManager.createAnnotatedType(HealthChecks.class), HealthChecks.class.getName());
        }
    }

    <T> void discover(@Observes @WithAnnotations(ClusterSingleton.class) ProcessAnnotatedType<T> event) {
        AnnotatedType<T> type = event.getAnnotatedType();
        if (type.isAnnotationPresent(ClusterSingleton.class)) {
            DefinitionRules.inspect(type, problems).ifPresent(definition -> {
                definitions.add(definition);
                DefinitionRules.nameWarning(type).ifPresent(warning -> LOG.log(System.Logger.Level.WARNING, warning));
                event.configureAnnotatedType()
                        .remove(annotation -> annotation.annotationType() == ApplicationScoped.class)
                        .add(ClusterSingletonScoped.Literal.INSTANCE);
            });
        }
    }

    void discoverLeaderOnly(@Observes @WithAnnotations({LeaderOnly.class, RunOnce.class})
            ProcessAnnotatedType<?> event) {
        leaderOnlyNames.addAll(LeaderOnlyBindings.of(event.getAnnotatedType(), problems));
    }

    void checkLeadership(@Observes ProcessInjectionPoint<?, Leadership> event) {
        DefinitionRules.inspectLeadershipInjection(event.getInjectionPoint()).ifPresent(problems::add);
    }

    void collect(@Observes ProcessManagedBean<?> event) {
        if (event.getAnnotated().isAnnotationPresent(ClusterSingleton.class)) {
            beans.put(event.getBean().getBeanClass(), event.getBean());
        } else {
            DefinitionRules.inspectSubclass(event.getBean().getBeanClass()).ifPresent(problems::add);
        }
    }

    void register(@Observes AfterBeanDiscovery event) {
        List<SingletonDefinition> all = DefinitionRules.withBeanlessElections(definitions, leaderOnlyNames);
        definitions.clear();
        definitions.addAll(all);
        problems.addAll(DefinitionRules.crossCheck(definitions)); // reported after validation, with the settings
        context = new ClusterSingletonContext();
        event.addContext(context);
        event.addBean()
                .beanClass(Elections.class)
                .types(LeaderElector.class, Object.class)
                .scope(Singleton.class)
                .createWith(creationalContext -> elections());
        // one per name, even where two singletons share one (a definition error of its own)
        definitions.stream().map(SingletonDefinition::name).distinct().forEach(name -> event.addBean()
                .beanClass(Leadership.class).types(Leadership.class, Object.class).scope(Dependent.class)
                .qualifiers(OfSingleton.Literal.of(name), Any.Literal.INSTANCE)
                .createWith(creationalContext -> elections().leadership(name, false)));
    }

    void prepare(@Observes AfterDeploymentValidation event, BeanManager beanManager) {
        StartupProblems startup = new StartupProblems();
        problems.forEach(startup::add);
        if (startup.isEmpty()) {
            try {
                elections = NodeBootstrap.prepare(beanManager, definitions, beans, context);
            } catch (IllegalStateException e) {
                startup.add(e);
            }
        } else {
            NodeBootstrap.configurationProblems(beanManager, definitions).forEach(startup::add);
        }
        if (!startup.isEmpty()) {
            event.addDeploymentProblem(startup.toException());
        }
    }

    void shutdown(@Observes BeforeShutdown event) {
        stop();
    }

    /** Starts the node's elections, once the application is initialized. */
    void start() {
        shutdownLogging = ShutdownLogging.capture();
        elections().start();
    }

    /**
     * Once the node runs: links the stop's path ahead of the stop (see {@link StopPathWarmUp}).
     *
     * @param beanManager the application's bean manager
     */
    void warmStop(BeanManager beanManager) {
        Elections current = elections;
        if (current != null) {
            StopPathWarmUp.run(beanManager, current);
        }
    }

    /** The container began to shut down: have the node ready to hand over (see {@link Elections#stopExpected}). */
    void stopExpected() {
        Elections current = elections;
        if (current != null) {
            current.stopExpected();
        }
    }

    /** Stops the node's elections: leaders hand over at once. Idempotent. */
    void stop() {
        Elections current = elections;
        ShutdownLogging logging = shutdownLogging;
        if (logging != null) {
            logging.keepHandlersDuringShutdown(); // the stop's lines, HL-0402 and @PreDestroy's, are worth reading
        }
        if (current != null) {
            current.close();
        }
    }

    private Elections elections() {
        Elections current = elections;
        if (current == null) {
            throw new IllegalStateException("Highlander is not set up: the deployment did not validate");
        }
        return current;
    }
}
