/**
 * Scheduled instants run at most once across hand-overs ({@code @RunOnce}): {@code ScheduledInstant} (an instant's
 * identity, pure), {@code RunOncePlan} (what one method's annotation asks, pure), {@code RunLedger} (the record in
 * the application's database, the only SQL here), {@code MisfireWait} (a firing that waits for this node to lead)
 * and {@code ScheduledRuns} (the policy, called by the {@code @LeaderOnly} interceptor). Why it is safe:
 * docs/design/scheduling.md.
 */
package io.highlander.cdi.internal.schedule;
