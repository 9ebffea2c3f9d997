package io.highlander.cdi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs each scheduled instant of a {@link LeaderOnly} method at most once cluster-wide, across hand-overs: the
 * leader records the instant's run, with its fencing token, in the application's database before the method runs,
 * and a firing of an instant that is already recorded is skipped. Opt-in, next to {@code @LeaderOnly}:
 *
 * <pre>{@code
 * @LeaderOnly("cleanup")
 * @RunOnce(every = "PT1H", misfireGrace = "PT30S")
 * @Schedule(hour = "*", persistent = false)          // or Quarkus @Scheduled, Concurrency runAt, an executor
 * void purge() { ... }
 * }</pre>
 *
 * Without it, {@code @LeaderOnly} lets a firing through on whichever node leads when it comes: an instant the old
 * leader ran can run again when the new leader's timer fires it a little later (a skewed clock), and an instant is
 * lost when the old leader stopped just before it and the new leader's timer fired just before it won.
 *
 * <p><b>The instant.</b> Each firing names an instant: the first parameter of type {@link java.time.Instant} (the
 * scheduled time the caller passes, e.g. Quarkus' {@code ScheduledExecution.getScheduledFireTime()}), else the
 * node's clock at the call. The instant is the start of the period ({@link #every()}, counted from the epoch,
 * 1970-01-01T00:00Z) that the firing falls in, the firing taken a tenth of a period later than it came: so a firing
 * up to a tenth of a period early (timers do fire a few milliseconds early) or up to nine tenths late (a timer's
 * delay, a node whose clock is behind and so fires later) names the same instant on every node; no clocks are
 * compared between nodes. A schedule whose firings fall about a tenth of a period before a period's start (an
 * hourly job at minute 54) must give its scheduled time as a parameter, as must one whose firings can come later
 * than that.
 *
 * <p><b>The record.</b> One row per instant in the table {@code highlander_scheduled_run}, which the application
 * creates (the library never does; its DDL is in the README and in the error that names it when it is missing), in
 * the database of the elections. The row is written in a transaction fenced by the term
 * ({@link Leadership#fence}): it commits only while no later term has begun, so a paused old leader cannot claim
 * an instant after it lost. In a JTA transaction (an EJB timeout method, {@code @Transactional}) the record joins
 * that transaction and commits or rolls back with the method's own writes; otherwise it commits before the method
 * runs. Each instant runs at most once: a method that fails after its instant was recorded is not run again for it.
 *
 * <p><b>Misfires.</b> {@link #misfireGrace()} is the policy for a firing that comes while this node does not lead,
 * the case of an instant missed during a hand-over. {@code PT0S} (the default): it is skipped, and an instant whose
 * leader did not fire it is lost. A positive grace: the firing's thread waits up to that long for this node to lead,
 * then runs the instant if no one recorded it; otherwise it is skipped. Every node that does not lead holds the
 * firing's thread for up to the grace at each firing, so keep it shorter than the period (a container may skip a
 * timer's firing while the previous one still runs).
 *
 * <p>The method must be one whose skipped call has a value ({@code void}, a future, {@code Optional}, or a
 * scheduled asynchronous method; see {@link LeaderOnly}). Misconfigurations fail the deployment. Design, guarantees
 * and cost per firing: docs/design/scheduling.md.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RunOnce {

    /**
     * @return the schedule's period as an ISO-8601 duration ({@code "PT1H"}, {@code "PT15M"}, {@code "P1D"}): the
     *         length of the periods an instant is truncated to. Positive.
     */
    String every();

    /**
     * @return how long a firing on a node that does not lead waits for this node to lead before it is skipped, as an
     *         ISO-8601 duration; {@code "PT0S"} (the default) skips at once
     */
    String misfireGrace() default "PT0S";

    /**
     * @return the job's name in the record; by default the method's class and name ({@code com.acme.Cleanup.purge}).
     *         Give one to keep the record across a rename.
     */
    String job() default "";
}
