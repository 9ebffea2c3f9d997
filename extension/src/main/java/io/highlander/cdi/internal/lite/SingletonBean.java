package io.highlander.cdi.internal.lite;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the bean of a {@code @ClusterSingleton} under the build-compatible extension, so that
 * {@link ApplicationLifecycle} can look all of them up, which keeps ArC from removing a singleton that no code
 * injects as an unused bean (its election uses it all the same). ArC decides what is used from injection points and
 * the annotations a class declares in its bytecode, so a qualifier is the one mark an extension can add that it
 * sees. Where the class had no qualifier of its own, {@code @Default} is added with it, so that injection works as
 * before. Applications never write it.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface SingletonBean {

    /** The annotation instance the extension adds. */
    final class Literal extends AnnotationLiteral<SingletonBean> implements SingletonBean {
        private static final long serialVersionUID = 1L;
        /** The one instance. */
        public static final Literal INSTANCE = new Literal();
    }
}
