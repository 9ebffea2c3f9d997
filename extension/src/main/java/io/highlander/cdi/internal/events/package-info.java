/**
 * Fires {@code LeadershipAcquired} and {@code LeadershipLost} on a change only; an observer that throws is logged and
 * cannot stall an election.
 */
package io.highlander.cdi.internal.events;
