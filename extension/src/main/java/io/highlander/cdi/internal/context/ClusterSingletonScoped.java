package io.highlander.cdi.internal.context;

import jakarta.enterprise.context.NormalScope;
import jakarta.enterprise.util.AnnotationLiteral;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scope the extension gives an {@code @ApplicationScoped @ClusterSingleton} bean in place of
 * {@code @ApplicationScoped}, so that {@link ClusterSingletonContext} decides when it has an instance.
 * Applications never write it.
 */
@NormalScope
@Inherited
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD})
public @interface ClusterSingletonScoped {

    /** The annotation instance the extension adds. */
    final class Literal extends AnnotationLiteral<ClusterSingletonScoped> implements ClusterSingletonScoped {
        private static final long serialVersionUID = 1L;
        /** The one instance. */
        public static final Literal INSTANCE = new Literal();
    }
}
