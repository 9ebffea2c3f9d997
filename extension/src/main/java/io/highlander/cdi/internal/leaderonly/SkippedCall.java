package io.highlander.cdi.internal.leaderonly;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * What a skipped {@code @LeaderOnly} call returns, by the method's return type (the rule is documented on
 * {@link io.highlander.cdi.LeaderOnly}).
 */
final class SkippedCall {

    private SkippedCall() {
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
