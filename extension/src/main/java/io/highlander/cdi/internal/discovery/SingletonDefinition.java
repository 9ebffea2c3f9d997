package io.highlander.cdi.internal.discovery;

/**
 * One {@code @ClusterSingleton} bean the application declared.
 *
 * @param name      its cluster-wide name
 * @param beanClass its class
 */
public record SingletonDefinition(String name, Class<?> beanClass) {
}
