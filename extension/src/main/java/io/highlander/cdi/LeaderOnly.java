package io.highlander.cdi;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a method only on the node that leads the named election, and only while its lease is valid; on every other
 * node the call is skipped. Put it on a method of any bean, or on the class for all its business methods: a method
 * driven by a scheduler that fires on every node then runs once per firing, cluster-wide.
 *
 * <pre>{@code
 * @ApplicationScoped
 * class Cleanup {
 *     @Inject @OfSingleton("cleanup") Leadership leadership;
 *
 *     @LeaderOnly("cleanup")
 *     @Schedule(hour = "*", persistent = false)   // or a ScheduledExecutorService
 *     void purge() {
 *         repository.purgeOlderThan(Duration.ofDays(30), leadership.check());
 *     }
 * }
 * }</pre>
 *
 * <p>A skipped call returns without running the method:
 * <ul>
 *   <li>{@code void}: nothing;</li>
 *   <li>{@code CompletionStage}, {@code CompletableFuture} or {@code Future}: a future already completed with
 *       {@code null};</li>
 *   <li>a Jakarta Concurrency 3.1 method scheduled with {@code @Asynchronous(runAt = @Schedule(...))}:
 *       {@code null}, because such a schedule ends once its method returns anything else;</li>
 *   <li>{@code Optional}: {@code Optional.empty()};</li>
 *   <li>any other type: a skipped call has no value to give back, and {@code null} or zero would pass for a real
 *       answer, so it throws {@link NotLeaderException}, as a call to a standby's {@link ClusterSingleton} does.</li>
 * </ul>
 * Skips are counted in {@link SingletonStatus#skippedCalls()} and logged at most once per change of term on this
 * node (HL-0420), never once per call.
 *
 * <p>If a {@link ClusterSingleton} bean has the name, the method runs while that singleton runs on this node. Any
 * other name is an election of its own, without an instance (a <em>bean-less</em> election), found at deployment:
 * it competes for its lock like a singleton, fires {@link LeadershipAcquired} and {@link LeadershipLost}, and shows
 * in {@link LeaderElector#status()}. Names follow the singletons' rules: not blank, and no two names of a deployment
 * may hash to the same lock key.
 *
 * <p>Timeout methods of Jakarta EE timers ({@code @Schedule}, non-persistent) are intercepted as well
 * ({@code @AroundTimeout}).
 *
 * <p>A call that runs is work of the term it was admitted in: when that term ends while the call runs (a step-down, a
 * shutdown, the lock's session lost, the lease run out), the thread running the call is interrupted, after every
 * connection the term fenced ({@link Leadership#fence}) and that is still open was aborted. A blocking call that
 * honours interrupts throws {@link InterruptedException}; a fenced commit fails; {@link Leadership#check()} throws
 * {@link NotLeaderException}. Only the thread running the call is interrupted, only while it runs: the flag is
 * cleared when the call returns, so a container's pooled thread never carries it into its next task.
 */
@InterceptorBinding
@Inherited
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface LeaderOnly {

    /** @return the election's name: a {@link ClusterSingleton}'s, or one of its own */
    @Nonbinding
    String value();
}
