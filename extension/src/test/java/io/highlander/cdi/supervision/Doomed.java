package io.highlander.cdi.supervision;

import io.highlander.cdi.ClusterSingleton;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A singleton whose class cannot be initialized: creating it throws {@link ExceptionInInitializerError}, then
 * {@link NoClassDefFoundError}. Weld wraps what {@code @PostConstruct} throws, but not an {@link Error} raised
 * while the class is initialized, so this is how an {@code Error} reaches the election in practice.
 */
@ApplicationScoped
@ClusterSingleton("doomed")
public class Doomed {

    private static final Object CONFIGURATION = load();

    private static Object load() {
        throw new IllegalStateException("the singleton's configuration is missing (test)");
    }

    /** @return something, if it ever ran */
    public Object configuration() {
        return CONFIGURATION;
    }
}
