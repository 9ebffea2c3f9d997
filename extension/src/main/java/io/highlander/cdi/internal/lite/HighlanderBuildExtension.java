package io.highlander.cdi.internal.lite;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.internal.HighlanderExtension;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.context.ClusterSingletonScoped;
import io.highlander.cdi.internal.discovery.Candidate;
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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.build.compatible.spi.BeanInfo;
import jakarta.enterprise.inject.build.compatible.spi.BuildCompatibleExtension;
import jakarta.enterprise.inject.build.compatible.spi.ClassConfig;
import jakarta.enterprise.inject.build.compatible.spi.Discovery;
import jakarta.enterprise.inject.build.compatible.spi.Enhancement;
import jakarta.enterprise.inject.build.compatible.spi.InjectionPointInfo;
import jakarta.enterprise.inject.build.compatible.spi.Messages;
import jakarta.enterprise.inject.build.compatible.spi.MetaAnnotations;
import jakarta.enterprise.inject.build.compatible.spi.Registration;
import jakarta.enterprise.inject.build.compatible.spi.ScannedClasses;
import jakarta.enterprise.inject.build.compatible.spi.SkipIfPortableExtensionPresent;
import jakarta.enterprise.inject.build.compatible.spi.Synthesis;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticComponents;
import jakarta.enterprise.inject.build.compatible.spi.Validation;
import jakarta.enterprise.lang.model.declarations.ClassInfo;
import jakarta.enterprise.lang.model.declarations.DeclarationInfo;
import jakarta.inject.Named;
import jakarta.inject.Qualifier;
import jakarta.inject.Singleton;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The build-compatible extension (CDI Lite), for containers that do not run portable extensions: Quarkus (ArC).
 * It does what {@link HighlanderExtension} does, with the same rules ({@link DefinitionRules}), the same set-up
 * ({@code NodeBootstrap}) and the same runtime ({@link Elections}, {@link ClusterSingletonContext}); only the
 * container events differ. Where both kinds of extension run (Weld with its lite-extension translator, so WildFly,
 * and Weld SE), this one is skipped, so that everything is registered once.
 *
 * <p>Work is split by phase: {@code @Discovery} registers the scope's context and the lifecycle observer;
 * {@code @Enhancement} checks each {@code @ClusterSingleton} class and moves it into the cluster-singleton scope;
 * {@code @Registration} catches subclasses of singletons; {@code @Synthesis} registers the {@link LeaderElector}
 * bean, whose creator sets the node up at start-up ({@link ElectionsCreator}); {@code @Validation} reports every
 * problem at once. The extension instance lives only while the container is built (in Quarkus, at build time):
 * what the runtime needs travels as the synthetic bean's parameters.
 */
@SkipIfPortableExtensionPresent(HighlanderExtension.class)
public class HighlanderBuildExtension implements BuildCompatibleExtension {

    private static final System.Logger LOG = System.getLogger(HighlanderBuildExtension.class.getName());

    private final List<String> problems = new ArrayList<>();
    private final List<SingletonDefinition> definitions = new ArrayList<>();
    private final Set<String> leaderOnlyNames = new TreeSet<>();

    /**
     * Registers the cluster-singleton scope with its context, Highlander's qualifiers, and the classes the node
     * needs.
     *
     * @param meta    where scopes are declared
     * @param scanned where classes are added to the application
     */
    @Discovery
    public void register(MetaAnnotations meta, ScannedClasses scanned) {
        meta.addContext(ClusterSingletonScoped.class, true, ClusterSingletonContext.class);
        // a container that indexes the application (ArC) does not know the qualifiers of a jar it does not index
        meta.addQualifier(HighlanderDataSource.class);
        meta.addQualifier(OfSingleton.class);
        meta.addQualifier(SingletonBean.class);
        meta.addInterceptorBinding(LeaderOnly.class);
        scanned.add(ApplicationLifecycle.class.getName());
        scanned.add(LeaderOnlyInterceptor.class.getName());
        scanned.add(LeadershipProducer.class.getName());
        scanned.add(LeadershipTally.class.getName());
        scanned.add(NodeTally.class.getName());
        scanned.add(MetricsPublisher.class.getName());
        if (HealthSupport.available()) {
            scanned.add(HealthChecks.class.getName());
        }
    }

    /**
     * Checks a {@code @ClusterSingleton} class and moves it from {@code @ApplicationScoped} into the
     * cluster-singleton scope.
     *
     * @param type a class with {@code @ClusterSingleton} somewhere on it
     */
    @Enhancement(types = Object.class, withSubtypes = true, withAnnotations = ClusterSingleton.class)
    public void discover(ClassConfig type) {
        ClassInfo info = type.info();
        if (!info.hasAnnotation(ClusterSingleton.class)) {
            return; // the annotation is on a member, which is not ours to judge
        }
        Candidate candidate = candidate(info);
        DefinitionRules.inspect(candidate, problems).ifPresent(definition -> {
            definitions.add(definition);
            DefinitionRules.nameWarning(candidate).ifPresent(warning -> LOG.log(System.Logger.Level.WARNING, warning));
            type.removeAnnotation(annotation -> annotation.name().equals(ApplicationScoped.class.getName()));
            type.addAnnotation(ClusterSingletonScoped.class);
            keep(type, candidate);
        });
    }

    /**
     * Collects the election names of {@code @LeaderOnly} bindings, with the portable extension's rules.
     *
     * @param type a class with {@code @LeaderOnly} on it or on a method
     */
    @Enhancement(types = Object.class, withSubtypes = true, withAnnotations = {LeaderOnly.class, RunOnce.class})
    public void discoverLeaderOnly(ClassInfo type) {
        leaderOnlyNames.addAll(LeaderOnlyBindings.of(type, problems));
    }

    /**
     * Refuses a bean that extends a singleton without being one (see {@link DefinitionRules#inspectSubclass}).
     *
     * @param bean any bean of the application
     */
    @Registration(types = Object.class)
    public void inspectSubclass(BeanInfo bean) {
        if (!bean.isClassBean() || bean.declaringClass().hasAnnotation(ClusterSingleton.class)) {
            return;
        }
        // walk the model first: loading every bean class of an application to find none would be wasteful
        for (ClassInfo ancestor = bean.declaringClass().superClassDeclaration(); ancestor != null;
             ancestor = ancestor.superClassDeclaration()) {
            if (ancestor.hasAnnotation(ClusterSingleton.class)) {
                DefinitionRules.inspectSubclass(ClassLoading.load(bean.declaringClass().name())).ifPresent(problems::add);
                return;
            }
        }
    }

    /**
     * Refuses an unqualified {@link Leadership} outside a {@code @ClusterSingleton} (see
     * {@link DefinitionRules#inspectUnqualifiedLeadership}).
     *
     * @param bean any bean of the application
     */
    @Registration(types = Object.class)
    public void inspectLeadershipInjection(BeanInfo bean) {
        for (InjectionPointInfo point : bean.injectionPoints()) {
            if (point.type().isClass() && point.type().asClass().declaration().name().equals(Leadership.class.getName())
                    && point.qualifiers().stream().noneMatch(q -> q.name().equals(OfSingleton.class.getName()))) {
                Class<?> beanClass = bean.isClassBean() ? ClassLoading.load(bean.declaringClass().name()) : null;
                String member = point.declaration().kind() == DeclarationInfo.Kind.FIELD
                        ? point.declaration().asField().name()
                        : point.declaration().asParameter().declaringMethod().name();
                DefinitionRules.inspectUnqualifiedLeadership(beanClass, bean.declaringClass().name() + "." + member)
                        .ifPresent(problems::add);
            }
        }
    }

    /**
     * Registers the {@link LeaderElector} bean; the singletons travel to its creator as parameters.
     *
     * @param components where synthetic beans are registered
     */
    @Synthesis
    public void synthesize(SyntheticComponents components) {
        List<SingletonDefinition> all = DefinitionRules.withBeanlessElections(definitions, leaderOnlyNames);
        definitions.clear();
        definitions.addAll(all);
        List<SingletonDefinition> singletons = all.stream().filter(definition -> definition.beanClass() != null)
                .toList();
        components.addBean(Elections.class)
                .type(LeaderElector.class)
                .scope(Singleton.class)
                .withParam(ElectionsCreator.NAMES, singletons.stream().map(SingletonDefinition::name)
                        .toArray(String[]::new))
                .withParam(ElectionsCreator.CLASSES, singletons.stream().map(SingletonDefinition::beanClass)
                        .toArray(Class<?>[]::new))
                .withParam(ElectionsCreator.BEANLESS, all.stream().filter(definition -> definition.beanClass() == null)
                        .map(SingletonDefinition::name).toArray(String[]::new))
                .createWith(ElectionsCreator.class)
                .disposeWith(ElectionsCreator.Disposer.class);
        // one per name, even where two singletons share one (a problem @Validation reports)
        all.stream().map(SingletonDefinition::name).distinct().forEach(name -> components.addBean(Leadership.class)
                .type(Leadership.class)
                .qualifier(OfSingleton.Literal.of(name))
                .scope(Dependent.class)
                .withParam(LeadershipCreator.NAME, name)
                .createWith(LeadershipCreator.class));
    }

    /**
     * Reports every problem at once, with the messages and ids of the portable extension, as one error whose message
     * is the HL lines, one per problem: the container shows it at the top of its failure, not as N wrapped errors.
     *
     * @param messages where deployment problems go
     */
    @Validation
    public void validate(Messages messages) {
        problems.addAll(DefinitionRules.crossCheck(definitions));
        if (!problems.isEmpty()) {
            messages.error(String.join(System.lineSeparator(), problems));
        }
    }

    /**
     * Adds {@link SingletonBean}, which keeps ArC from removing a singleton no code injects, and {@code @Default}
     * with it where the class has no qualifier of its own, since any qualifier would otherwise take its place.
     */
    private static void keep(ClassConfig type, Candidate candidate) {
        boolean qualified = candidate.annotations().stream()
                .filter(annotation -> annotation.isAnnotationPresent(Qualifier.class))
                .anyMatch(annotation -> annotation != Named.class && annotation != Any.class);
        type.addAnnotation(SingletonBean.Literal.INSTANCE);
        if (!qualified) {
            type.addAnnotation(Default.Literal.INSTANCE);
        }
    }

    private static Candidate candidate(ClassInfo info) {
        List<Class<? extends Annotation>> annotations = new ArrayList<>();
        info.annotations().forEach(annotation -> ClassLoading.annotation(annotation.name()).ifPresent(annotations::add));
        String name = Optional.ofNullable(info.annotation(ClusterSingleton.class).member("value"))
                .map(member -> member.asString()).orElse("");
        return new Candidate(ClassLoading.load(info.name()), annotations, name);
    }
}
