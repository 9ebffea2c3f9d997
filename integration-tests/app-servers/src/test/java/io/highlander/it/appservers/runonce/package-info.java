/**
 * The application of {@code PayaraMicroRunOnceIT}, packed into a WAR of its own ({@code PackageWar.runOnce}): an EJB timer
 * that fires every second on every node and calls a {@code @LeaderOnly @RunOnce} job, and a leader that stops just
 * before a chosen second.
 */
package io.highlander.it.appservers.runonce;
