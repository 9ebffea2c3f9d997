package io.highlander.cdi.internal.fence;

import io.highlander.cdi.internal.lock.LockKey;

/**
 * The companion lock of a singleton's lock: fenced transactions hold it shared, a new term takes it exclusively
 * once before it begins. Its second key is the singleton's; its first is a namespace of its own, derived from ours
 * ({@link LockKey#hash} of {@code "highlander-fence:" + namespace}), so that it never meets a singleton's lock
 * (namespace {@code n}) nor a node's liveness lock (the one-bigint form in {@code n}). Pure.
 */
public final class FenceKey {

    private FenceKey() {
    }

    /**
     * @param singleton the singleton's lock
     * @return its companion lock
     */
    public static LockKey of(LockKey singleton) {
        return new LockKey(namespaceOf(singleton.namespace()), singleton.key());
    }

    /**
     * @param namespace our namespace ({@code highlander.namespace})
     * @return the companion locks' namespace
     */
    public static int namespaceOf(int namespace) {
        return LockKey.hash("highlander-fence:" + namespace);
    }
}
