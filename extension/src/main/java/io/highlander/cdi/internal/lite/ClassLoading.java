package io.highlander.cdi.internal.lite;

import java.lang.annotation.Annotation;
import java.util.Optional;

/**
 * Loads the application's classes for the rules, which judge {@code Class} objects (without initializing them:
 * no static initializer of the application runs at build time).
 */
final class ClassLoading {

    private ClassLoading() {
    }

    /**
     * @param name a class the container has indexed
     * @return the class
     * @throws IllegalStateException if it cannot be loaded, which the container would not let happen
     */
    static Class<?> load(String name) {
        try {
            return Class.forName(name, false, loader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("cannot load " + name + ": " + e, e);
        }
    }

    /**
     * @param name an annotation type's name
     * @return the annotation type, if it is on the class path
     */
    static Optional<Class<? extends Annotation>> annotation(String name) {
        try {
            Class<?> type = Class.forName(name, false, loader());
            return type.isAnnotation() ? Optional.of(type.asSubclass(Annotation.class)) : Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ClassLoading.class.getClassLoader();
    }
}
