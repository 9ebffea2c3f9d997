package io.highlander.cdi.internal.discovery;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.internal.schedule.RunOncePlan;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.lang.model.declarations.ClassInfo;
import jakarta.enterprise.lang.model.declarations.MethodInfo;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;

/**
 * The election names of a class's {@code @LeaderOnly} bindings (on the class and on its methods), read from either
 * extension's model and checked by {@link DefinitionRules#inspectLeaderOnly}; and the rules of its {@code @RunOnce}
 * methods ({@link RunOncePlan#problems}). The interceptor's own binding names
 * no election and is left out.
 */
public final class LeaderOnlyBindings {

    private LeaderOnlyBindings() {
    }

    /**
     * @param type     a type with {@code @LeaderOnly} somewhere on it, as the portable extension sees it
     * @param problems where to add what is wrong
     * @return the names it binds to
     */
    public static List<String> of(AnnotatedType<?> type, List<String> problems) {
        List<String> names = new ArrayList<>();
        if (type.isAnnotationPresent(Interceptor.class)) {
            return names;
        }
        String className = type.getJavaClass().getName();
        if (type.isAnnotationPresent(LeaderOnly.class)) {
            DefinitionRules.inspectLeaderOnly(type.getAnnotation(LeaderOnly.class).value(), className, problems)
                    .ifPresent(names::add);
        }
        for (AnnotatedMethod<?> method : type.getMethods()) {
            if (method.isAnnotationPresent(LeaderOnly.class)) {
                DefinitionRules.inspectLeaderOnly(method.getAnnotation(LeaderOnly.class).value(),
                        className + "." + method.getJavaMember().getName() + "()", problems).ifPresent(names::add);
            }
            if (method.isAnnotationPresent(RunOnce.class)) {
                RunOnce once = method.getAnnotation(RunOnce.class);
                problems.addAll(RunOncePlan.problems(className + "." + method.getJavaMember().getName() + "()",
                        once.every(), once.misfireGrace(),
                        method.isAnnotationPresent(LeaderOnly.class) || type.isAnnotationPresent(LeaderOnly.class)));
            }
        }
        return names;
    }

    /**
     * @param type     a class with {@code @LeaderOnly} somewhere on it, as the build-compatible extension sees it
     * @param problems where to add what is wrong
     * @return the names it binds to
     */
    public static List<String> of(ClassInfo type, List<String> problems) {
        List<String> names = new ArrayList<>();
        if (type.hasAnnotation(Interceptor.class)) {
            return names;
        }
        if (type.hasAnnotation(LeaderOnly.class)) {
            DefinitionRules.inspectLeaderOnly(type.annotation(LeaderOnly.class).value().asString(), type.name(),
                    problems).ifPresent(names::add);
        }
        for (MethodInfo method : type.methods()) {
            if (method.hasAnnotation(LeaderOnly.class)) {
                DefinitionRules.inspectLeaderOnly(method.annotation(LeaderOnly.class).value().asString(),
                        type.name() + "." + method.name() + "()", problems).ifPresent(names::add);
            }
            if (method.hasAnnotation(RunOnce.class)) {
                var once = method.annotation(RunOnce.class);
                problems.addAll(RunOncePlan.problems(type.name() + "." + method.name() + "()",
                        once.member("every").asString(),
                        once.hasMember("misfireGrace") ? once.member("misfireGrace").asString() : "PT0S",
                        method.hasAnnotation(LeaderOnly.class) || type.hasAnnotation(LeaderOnly.class)));
            }
        }
        return names;
    }
}
