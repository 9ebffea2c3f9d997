/**
 * What the application declared ({@code @ClusterSingleton} beans, {@code @LeaderOnly} methods) and the rules it
 * must follow, as pure checks that return problems; the extensions turn them into one deployment problem.
 */
package io.highlander.cdi.internal.discovery;
