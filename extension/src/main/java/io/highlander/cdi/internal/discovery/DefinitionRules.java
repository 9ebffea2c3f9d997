package io.highlander.cdi.internal.discovery;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.lock.LockKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.NormalScope;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.inject.Scope;
import java.lang.annotation.Annotation;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules a {@code @ClusterSingleton} declaration must follow. Pure checks: they return problems (each
 * a message naming the class and the fix) and leave reporting to the extension.
 */
public final class DefinitionRules {

    private DefinitionRules() {
    }

    /**
     * Checks one annotated type, as the portable extension sees it.
     *
     * @param type a type annotated {@code @ClusterSingleton}
     * @param problems where to add what is wrong with it
     * @return its definition, if it has no problem
     */
    public static Optional<SingletonDefinition> inspect(AnnotatedType<?> type, List<String> problems) {
        return inspect(Candidate.of(type), problems);
    }

    /**
     * Checks one class annotated {@code @ClusterSingleton}; both extensions come here.
     *
     * @param candidate the class, with the annotations the container sees on it
     * @param problems where to add what is wrong with it
     * @return its definition, if it has no problem
     */
    public static Optional<SingletonDefinition> inspect(Candidate candidate, List<String> problems) {
        Class<?> javaClass = candidate.javaClass();
        int before = problems.size();
        if (has(candidate, "jakarta.decorator.Decorator")) {
            problems.add(Messages.onDecoratorOrInterceptor(javaClass, "decorator"));
        } else if (has(candidate, "jakarta.interceptor.Interceptor")) {
            problems.add(Messages.onDecoratorOrInterceptor(javaClass, "interceptor"));
        } else if (javaClass.isInterface()) {
            problems.add(Messages.notConcrete(javaClass, "the interface"));
        } else if (Modifier.isAbstract(javaClass.getModifiers())) {
            problems.add(Messages.notConcrete(javaClass, "the abstract class"));
        } else if (!candidate.has(ApplicationScoped.class)) {
            problems.add(Messages.notApplicationScoped(javaClass, scopeOf(candidate)));
        }
        String name = candidate.name();
        if (!name.isEmpty() && name.isBlank()) {
            problems.add(Messages.blankName(javaClass));
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new SingletonDefinition(name.isEmpty() ? javaClass.getName() : name, javaClass));
    }

    /**
     * A singleton without a name of its own is allowed (the class name is the documented default), but its
     * lock then changes with every rename or move of the class: two versions of the application would
     * compete for two different locks, and both lead, during a rolling deployment.
     *
     * @param type a type annotated {@code @ClusterSingleton}
     * @return the warning, if it relies on the default name
     */
    public static Optional<String> nameWarning(AnnotatedType<?> type) {
        return nameWarning(Candidate.of(type));
    }

    /**
     * @param candidate a class annotated {@code @ClusterSingleton}
     * @return the warning, if it relies on the default name (see {@link #nameWarning(AnnotatedType)})
     */
    public static Optional<String> nameWarning(Candidate candidate) {
        return candidate.name().isEmpty()
                ? Optional.of(Messages.defaultName(candidate.javaClass()))
                : Optional.empty();
    }

    /**
     * Checks a bean that is not a {@code @ClusterSingleton} itself. {@code @ApplicationScoped} is
     * {@code @Inherited} and {@code @ClusterSingleton} is not, so a subclass of a singleton (also a
     * {@code @Specializes} one) would silently be a plain application-scoped bean on every node.
     *
     * @param beanClass the class of a managed bean without {@code @ClusterSingleton}
     * @return what is wrong with it, if it extends a cluster singleton
     */
    public static Optional<String> inspectSubclass(Class<?> beanClass) {
        for (Class<?> ancestor = beanClass.getSuperclass(); ancestor != null; ancestor = ancestor.getSuperclass()) {
            ClusterSingleton singleton = ancestor.getAnnotation(ClusterSingleton.class);
            if (singleton != null) {
                String name = singleton.value().isEmpty() ? ancestor.getName() : singleton.value();
                return Optional.of(Messages.unannotatedSubclass(beanClass, ancestor, name));
            }
        }
        return Optional.empty();
    }

    /**
     * Checks one {@code @LeaderOnly} binding; both extensions come here for each one they find on a class or a
     * method (the interceptor's own binding is not one).
     *
     * @param name     the binding's value
     * @param where    the class or method it is on, for the message
     * @param problems where to add what is wrong with it
     * @return the election's name, if it has no problem
     */
    public static Optional<String> inspectLeaderOnly(String name, String where, List<String> problems) {
        if (name.isBlank()) {
            problems.add(Messages.blankLeaderOnlyName(where));
            return Optional.empty();
        }
        return Optional.of(name);
    }

    /**
     * @param point an injection point of type {@code Leadership}, as the portable extension sees it
     * @return what is wrong, if it is unqualified outside a {@code @ClusterSingleton}
     */
    public static Optional<String> inspectLeadershipInjection(jakarta.enterprise.inject.spi.InjectionPoint point) {
        if (point.getQualifiers().stream().anyMatch(q -> q.annotationType() == io.highlander.cdi.OfSingleton.class)) {
            return Optional.empty();
        }
        return inspectUnqualifiedLeadership(point.getBean() == null ? null : point.getBean().getBeanClass(),
                point.getMember().getDeclaringClass().getName() + "." + point.getMember().getName());
    }

    /**
     * An unqualified {@code Leadership} is the term of the singleton it is injected into; anywhere else it names no
     * election.
     *
     * @param beanClass the class of the bean that injects it ({@code null} for a non-bean injection point)
     * @param where     the injection point, for the message
     * @return what is wrong, if the bean is not a {@code @ClusterSingleton}
     */
    public static Optional<String> inspectUnqualifiedLeadership(Class<?> beanClass, String where) {
        return beanClass != null && beanClass.isAnnotationPresent(ClusterSingleton.class)
                ? Optional.empty()
                : Optional.of(Messages.leadershipOutsideSingleton(where));
    }

    /**
     * Adds a bean-less election for every {@code @LeaderOnly} name that no singleton has, so that the names are
     * checked against each other ({@link #crossCheck}) and elected like singletons.
     *
     * @param singletons      the singletons' definitions
     * @param leaderOnlyNames the names {@code @LeaderOnly} bindings gave
     * @return the singletons, then one bean-less definition per other name, in name order
     */
    public static List<SingletonDefinition> withBeanlessElections(List<SingletonDefinition> singletons,
                                                                  java.util.Collection<String> leaderOnlyNames) {
        List<SingletonDefinition> all = new ArrayList<>(singletons);
        java.util.Set<String> taken = new java.util.HashSet<>();
        singletons.forEach(definition -> taken.add(definition.name()));
        new java.util.TreeSet<>(leaderOnlyNames).stream().filter(taken::add)
                .forEach(name -> all.add(new SingletonDefinition(name, null)));
        return all;
    }

    /**
     * Checks the definitions against each other: names must be unique, and so must their lock keys.
     *
     * @param definitions every definition of the deployment
     * @return what is wrong, empty if nothing
     */
    public static List<String> crossCheck(List<SingletonDefinition> definitions) {
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> classesByName = new java.util.TreeMap<>(); // sorted: stable messages
        for (SingletonDefinition definition : definitions) {
            classesByName.computeIfAbsent(definition.name(), name -> new ArrayList<>())
                    .add(definition.beanClass() == null ? "@LeaderOnly" : definition.beanClass().getName());
        }
        Map<Integer, String> nameByKey = new LinkedHashMap<>();
        classesByName.forEach((name, classes) -> {
            if (classes.size() > 1) {
                problems.add(Messages.duplicateName(name, classes.stream().sorted().toList()));
            }
            int key = LockKey.hash(name);
            String other = nameByKey.putIfAbsent(key, name);
            if (other != null) {
                problems.add(Messages.keyCollision(other, name, key));
            }
        });
        return problems;
    }

    private static boolean has(Candidate candidate, String annotationName) {
        return candidate.annotations().stream().anyMatch(type -> type.getName().equals(annotationName));
    }

    private static String scopeOf(Candidate candidate) {
        for (Class<? extends Annotation> annotationType : candidate.annotations()) {
            if (annotationType.isAnnotationPresent(NormalScope.class) || annotationType.isAnnotationPresent(Scope.class)) {
                return "@" + annotationType.getSimpleName();
            }
        }
        return "@Dependent (no scope declared)";
    }
}
