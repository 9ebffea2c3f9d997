package io.highlander.cdi;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Objects;

/**
 * Qualifier that selects the leadership events of one singleton. Every {@link LeadershipAcquired} and
 * {@link LeadershipLost} is fired with it, so an observer can listen to one singleton only:
 *
 * <pre>{@code
 * void onGain(@Observes @OfSingleton("nightly-report") LeadershipAcquired event) { ... }
 * }</pre>
 *
 * An observer without the qualifier receives the events of every singleton.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.TYPE})
public @interface OfSingleton {

    /** @return the singleton's name, as in {@link ClusterSingleton#value()} (the class name by default) */
    String value();

    /** An instance of the qualifier, for programmatic lookup and event firing. */
    final class Literal extends AnnotationLiteral<OfSingleton> implements OfSingleton {
        private static final long serialVersionUID = 1L;
        private final String value;

        private Literal(String value) {
            this.value = Objects.requireNonNull(value, "value");
        }

        /**
         * @param singleton the singleton's name
         * @return a qualifier instance naming it
         */
        public static Literal of(String singleton) {
            return new Literal(singleton);
        }

        @Override
        public String value() {
            return value;
        }
    }
}
