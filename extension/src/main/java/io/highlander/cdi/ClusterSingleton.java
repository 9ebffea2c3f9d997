package io.highlander.cdi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an {@code @ApplicationScoped} bean as a cluster-wide singleton: at any instant at most one node
 * of the cluster has an instance of it.
 *
 * <pre>{@code
 * @ApplicationScoped
 * @ClusterSingleton("nightly-report")
 * class NightlyReport {
 *     @PostConstruct void start() { ... }   // runs when this node gains leadership
 *     @PreDestroy void stop() { ... }       // runs when it loses it, or when the application stops
 * }
 * }</pre>
 *
 * <p>The instance is created when this node acquires the singleton's PostgreSQL advisory lock and
 * destroyed when it loses it; a re-gain creates a fresh instance. On a node that does not lead, a call
 * to the bean throws {@link NotLeaderException} instead of creating a second instance.
 *
 * <p>The bean must be {@code @ApplicationScoped}, concrete, and not a decorator or interceptor; names
 * must be unique within a deployment. Violations fail the deployment with a message naming the class.
 *
 * <p>The annotation is deliberately not {@code @Inherited}: a subclass is a bean of its own and needs a
 * name of its own. Because {@code @ApplicationScoped} <em>is</em> inherited, a subclass (or a
 * {@code @Specializes} bean) without {@code @ClusterSingleton} would otherwise run on every node; such a
 * bean fails the deployment (HL-0107).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ClusterSingleton {

    /**
     * The singleton's cluster-wide name, which selects its lock. Every node that runs the same
     * singleton must use the same name. Defaults to the bean class's fully qualified name.
     *
     * @return the name, or {@code ""} for the class name
     */
    String value() default "";
}
