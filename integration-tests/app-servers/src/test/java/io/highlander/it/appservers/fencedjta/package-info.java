/**
 * The application of {@code WildFlyFencedJtaIT}, packed into a WAR of its own ({@code PackageWar}): a singleton whose
 * terms fence the writes, and a servlet that writes in a JTA transaction fenced by the term, optionally ending the
 * term before it commits.
 */
package io.highlander.it.appservers.fencedjta;
