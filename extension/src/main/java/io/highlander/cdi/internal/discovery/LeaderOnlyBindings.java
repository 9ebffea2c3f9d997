package io.highlander.cdi.internal.discovery;

import io.highlander.cdi.LeaderOnly;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.lang.model.declarations.ClassInfo;
import jakarta.enterprise.lang.model.declarations.MethodInfo;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;

/**
 * The election names of a class's {@code @LeaderOnly} bindings (on the class and on its methods), read from either
 * extension's model and checked by {@link DefinitionRules#inspectLeaderOnly}. The interceptor's own binding names
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
        }
        return names;
    }
}
