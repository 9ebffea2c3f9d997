package io.highlander.cdi.internal.leaderonly;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.internal.election.ElectionLeadership;
import io.highlander.cdi.internal.election.Elections;
import io.highlander.cdi.internal.fence.TermWork;
import io.highlander.cdi.internal.metrics.LeadershipTally;
import io.highlander.cdi.internal.schedule.ScheduledRuns;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.AroundTimeout;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a {@link LeaderOnly} call through only while this node leads the named election with a valid lease; skips it
 * otherwise ({@link SkippedCall}). Early among the library interceptors, so that a skipped call opens no transaction
 * and takes no lock of anyone else's. Timer callbacks ({@code @Schedule}) come through {@code @AroundTimeout}. A call
 * let through runs as work of its term ({@link TermWork}): the term's end interrupts its thread while it runs.
 */
@LeaderOnly("")
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_BEFORE)
public class LeaderOnlyInterceptor {

    /**
     * Each intercepted method's gate, resolved once: its binding's name (a method's own binding, else its
     * class's; CDI 4.0 does not hand the binding over), that election and what a skip returns.
     */
    private final Map<Method, Gate> gates = new ConcurrentHashMap<>();

    @Inject
    LeaderElector elector;
    @Inject
    LeadershipTally tally;
    /** {@code @RunOnce}: the instant's record decides, on the leader, whether the call runs. */
    private final ScheduledRuns runs = new ScheduledRuns(() -> (Elections) elector, Clock.systemUTC());

    /**
     * @param call the intercepted business method call
     * @return its result, or the skip's ({@link SkippedCall})
     * @throws Exception what the method throws
     */
    @AroundInvoke
    public Object aroundInvoke(InvocationContext call) throws Exception {
        return guard(call);
    }

    /**
     * @param call the intercepted timer callback
     * @return its result, or {@code null} when skipped
     * @throws Exception what the method throws
     */
    @AroundTimeout
    public Object aroundTimeout(InvocationContext call) throws Exception {
        return guard(call);
    }

    private Object guard(InvocationContext call) throws Exception {
        Gate gate = gateOf(call.getMethod(), call.getTarget());
        // a @RunOnce call is admitted only once its instant is recorded (docs/design/scheduling.md); a plain call
        // asks its election alone, with no second per-method look-up on this path
        boolean admitted = gate.runOnce()
                ? runs.admit(call, gate.election(), gate.skipHasResult() || gate.skipReturnsNull())
                : gate.election().admitLeaderOnly();
        if (admitted) {
            TermWork.Call running = gate.election().enterLeaderOnly();
            if (running != null) {
                return proceed(call, gate, running);
            }
            // the term ended between the two looks: a skip, as if the call had come a moment later (a recorded
            // instant is then lost, never run twice)
        }
        if (gate.skipReturnsNull()) {
            return null;
        }
        if (gate.skipHasResult()) {
            return SkippedCall.result(gate.returnType());
        }
        // throws NotLeaderException, as the skip rule says, unless leadership came in between
        return proceed(call, gate, gate.election().enterLeaderOnlyOrRefuse());
    }

    /**
     * Runs an admitted call as work of its term: the term's end interrupts this thread while the call runs, and
     * only then (docs/design/fencing.md §8).
     */
    private Object proceed(InvocationContext call, Gate gate, TermWork.Call running) throws Exception {
        try {
            tally.ranLeaderOnly(gate.name());
            return call.proceed();
        } finally {
            running.leave();
        }
    }

    private Gate gateOf(Method method, Object target) {
        Gate gate = gates.get(method); // no computeIfAbsent: its capturing lambda would allocate on every call
        if (gate == null) {
            String name = nameOf(method, target);
            Leadership election = ((Elections) elector).leadership(name, false);
            Class<?> returnType = method.getReturnType();
            gate = new Gate(name, (ElectionLeadership) election, returnType, SkippedCall.hasResult(returnType),
                    SkippedCall.isScheduledAsynchronous(method), method.isAnnotationPresent(RunOnce.class));
            gates.put(method, gate);
        }
        return gate;
    }

    /**
     * What the interceptor needs of one method, resolved on its first call.
     *
     * @param name          the election's name, under which calls run are counted ({@link LeadershipTally})
     * @param election      an unbound view of its election, which follows the election from term to term
     * @param returnType    its return type
     * @param skipHasResult whether a skipped call returns a value ({@link SkippedCall#hasResult}) rather than
     *                      refusing
     * @param skipReturnsNull whether a skipped call returns {@code null} whatever the return type, because the
     *                        method is a scheduled asynchronous one ({@link SkippedCall#isScheduledAsynchronous})
     * @param runOnce       whether the method carries {@code @RunOnce}, whose record decides ({@link ScheduledRuns})
     */
    private record Gate(String name, ElectionLeadership election, Class<?> returnType, boolean skipHasResult,
                        boolean skipReturnsNull, boolean runOnce) {
    }

    private static String nameOf(Method method, Object target) {
        LeaderOnly binding = method.getAnnotation(LeaderOnly.class);
        if (binding == null) {
            binding = method.getDeclaringClass().getAnnotation(LeaderOnly.class);
        }
        for (Class<?> type = target.getClass(); binding == null && type != null; type = type.getSuperclass()) {
            binding = type.getAnnotation(LeaderOnly.class); // a binding a subclass inherits, or a proxy's
        }
        if (binding == null) {
            throw new IllegalStateException("no @LeaderOnly on " + method);
        }
        return binding.value();
    }
}
