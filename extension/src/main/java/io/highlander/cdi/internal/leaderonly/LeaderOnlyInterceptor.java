package io.highlander.cdi.internal.leaderonly;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.internal.election.Elections;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.AroundTimeout;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a {@link LeaderOnly} call through only while this node leads the named election with a valid lease; skips it
 * otherwise ({@link SkippedCall}). Early among the library interceptors, so that a skipped call opens no transaction
 * and takes no lock of anyone else's. Timer callbacks ({@code @Schedule}) come through {@code @AroundTimeout}.
 */
@LeaderOnly("")
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_BEFORE)
public class LeaderOnlyInterceptor {

    /** The binding's name per method: a method's own binding, else its class's (CDI 4.0 does not hand it over). */
    private final Map<Method, String> names = new ConcurrentHashMap<>();

    @Inject
    LeaderElector elector;

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
        Method method = call.getMethod();
        String name = names.get(method); // no computeIfAbsent: its capturing lambda would allocate on every call
        if (name == null) {
            name = nameOf(method, call.getTarget());
            names.put(method, name);
        }
        Elections elections = (Elections) elector;
        if (elections.admitLeaderOnly(name)) {
            return call.proceed();
        }
        Class<?> returnType = method.getReturnType();
        if (SkippedCall.hasResult(returnType)) {
            return SkippedCall.result(returnType);
        }
        elections.leadership(name, false).check(); // throws NotLeaderException, as the skip rule says
        return call.proceed(); // leadership came in between: the call may run after all
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
