package io.highlander.cdi.internal.discovery;

import io.highlander.cdi.ClusterSingleton;
import jakarta.enterprise.inject.spi.AnnotatedType;
import java.lang.annotation.Annotation;
import java.util.List;

/**
 * A class annotated {@code @ClusterSingleton} as the container sees it, with the annotations other extensions
 * may have added or removed. Each extension makes one from its own model ({@link #of(AnnotatedType)} for the
 * portable one, a {@code ClassInfo} for the build-compatible one), so that {@link DefinitionRules} judge both
 * alike, with the same messages.
 *
 * @param javaClass   the class
 * @param annotations the types of the annotations it carries, inherited ones included
 * @param name        the value of its {@code @ClusterSingleton}: the name it asked for, or {@code ""}
 */
public record Candidate(Class<?> javaClass, List<Class<? extends Annotation>> annotations, String name) {

    /** Copies the list. */
    public Candidate {
        annotations = List.copyOf(annotations);
    }

    /**
     * @param type a type annotated {@code @ClusterSingleton}, as the portable extension sees it
     * @return its candidate
     */
    public static Candidate of(AnnotatedType<?> type) {
        return new Candidate(type.getJavaClass(),
                type.getAnnotations().stream().<Class<? extends Annotation>>map(Annotation::annotationType).toList(),
                type.getAnnotation(ClusterSingleton.class).value());
    }

    /**
     * @param annotationType an annotation type
     * @return whether the class carries it
     */
    public boolean has(Class<? extends Annotation> annotationType) {
        return annotations.contains(annotationType);
    }
}
