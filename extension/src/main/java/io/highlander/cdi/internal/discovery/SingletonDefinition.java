package io.highlander.cdi.internal.discovery;

/**
 * One election the application declared: a {@code @ClusterSingleton} bean, or a {@code @LeaderOnly} name that no
 * singleton has (a bean-less election).
 *
 * @param name      its cluster-wide name
 * @param beanClass the singleton's class, or {@code null} for a bean-less election
 */
public record SingletonDefinition(String name, Class<?> beanClass) {
}
