/**
 * The context of {@code @ClusterSingleton} beans: it is active, and holds an instance, only while this node leads.
 */
package io.highlander.cdi.internal.context;
