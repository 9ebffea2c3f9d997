package io.highlander.cdi.internal.leaderonly;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * What a skipped {@code @LeaderOnly} call returns, by the method's return type (the rule is documented on
 * {@link io.highlander.cdi.LeaderOnly}).
 */
final class SkippedCall {

    /** Read by name: the library does not depend on Jakarta Concurrency, which only EE 11 servers have. */
    private static final String ASYNCHRONOUS = "jakarta.enterprise.concurrent.Asynchronous";

    private SkippedCall() {
    }

    /**
     * A Jakarta Concurrency 3.1 method with {@code @Asynchronous(runAt = ...)} is called by the server at each
     * firing, and its schedule ends for good once it returns a non-null value: a skipped firing must return
     * {@code null} so that the next firing still comes (on this node, it may lead by then).
     *
     * @param method the intercepted method
     * @return whether it is such a scheduled method
     */
    static boolean isScheduledAsynchronous(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            if (annotation.annotationType().getName().equals(ASYNCHRONOUS)) {
                try {
                    Object runAt = annotation.annotationType().getMethod("runAt").invoke(annotation);
                    return runAt instanceof Object[] schedules && schedules.length > 0;
                } catch (ReflectiveOperationException e) {
                    return false; // Concurrency 3.0 has no runAt, so no schedule to keep going
                }
            }
        }
        return false;
    }

    /**
     * @param returnType the intercepted method's return type
     * @return whether a skip has a value to return for it; if not, the call is refused instead
     */
    static boolean hasResult(Class<?> returnType) {
        return returnType == void.class || returnType == Void.class || returnType == Optional.class
                || returnType == CompletionStage.class || returnType == CompletableFuture.class
                || returnType == Future.class;
    }

    /**
     * @param returnType a type for which {@link #hasResult} holds
     * @return nothing for {@code void}, an empty {@code Optional}, or a future completed with {@code null}
     */
    static Object result(Class<?> returnType) {
        if (returnType == Optional.class) {
            return Optional.empty();
        }
        if (returnType == void.class || returnType == Void.class) {
            return null;
        }
        return CompletableFuture.completedFuture(null); // a CompletionStage, CompletableFuture and Future alike
    }
}
