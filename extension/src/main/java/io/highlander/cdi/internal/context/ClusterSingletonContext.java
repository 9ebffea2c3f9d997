package io.highlander.cdi.internal.context;

import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.lock.Lease;
import jakarta.enterprise.context.spi.AlterableContext;
import jakarta.enterprise.context.spi.Contextual;
import jakarta.enterprise.context.spi.CreationalContext;
import java.lang.annotation.Annotation;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The context of {@link ClusterSingletonScoped} beans: it has an instance of a singleton only while this
 * node leads it and the lease is valid. Anywhere else {@link #get} throws {@link NotLeaderException}, so
 * a call on a standby can never create a second instance.
 *
 * <p>The context reports itself active at all times: whether it may serve is decided per singleton, and
 * the exception it throws is a {@code ContextNotActiveException}, as the CDI specification expects.
 */
public final class ClusterSingletonContext implements AlterableContext {

    private final Map<Contextual<?>, Slot> slots = new ConcurrentHashMap<>();

    /**
     * Declares a singleton's bean.
     *
     * @param bean    the bean
     * @param refusal makes the exception for a call while this node does not lead
     */
    public void register(Contextual<?> bean, Supplier<NotLeaderException> refusal) {
        slots.put(bean, new Slot(refusal));
    }

    /**
     * Lets the bean have an instance for as long as {@code lease} is valid. Called on the singleton's
     * lifecycle thread, after the previous term's instance was destroyed, so that terms never mix.
     *
     * @param bean  the bean
     * @param lease the new term's lease
     */
    public void open(Contextual<?> bean, Lease lease) {
        Slot slot = slot(bean);
        synchronized (slot) {
            slot.lease = lease;
        }
    }

    /**
     * Refuses new calls at once. Never blocks, not even while {@code @PostConstruct} runs, so that the
     * thread that keeps the lock can call it at the lease deadline.
     *
     * @param bean the bean
     */
    public void close(Contextual<?> bean) {
        slot(bean).lease = null;
    }

    /**
     * Takes the instance out of the context, after {@link #close}; the caller destroys it with
     * {@link #destroy(Instance)} on a thread where user code may run.
     *
     * @param bean the bean
     * @return the instance to destroy, if one was created during the term
     */
    public Optional<Instance<?>> takeInstance(Contextual<?> bean) {
        Slot slot = slot(bean);
        synchronized (slot) {
            Instance<?> instance = slot.instance;
            slot.instance = null;
            return Optional.ofNullable(instance);
        }
    }

    /**
     * Destroys an instance taken out by {@link #close}: runs its {@code @PreDestroy}.
     *
     * @param instance the instance
     */
    public void destroy(Instance<?> instance) {
        instance.destroy();
    }

    @Override
    public Class<? extends Annotation> getScope() {
        return ClusterSingletonScoped.class;
    }

    @Override
    public <T> T get(Contextual<T> bean, CreationalContext<T> creationalContext) {
        Slot slot = slot(bean);
        Instance<?> existing = slot.instance;
        if (existing != null && slot.mayServe()) {
            return cast(existing.object);
        }
        synchronized (slot) {
            if (!slot.mayServe()) {
                throw slot.refusal.get();
            }
            if (slot.instance == null && creationalContext != null) {
                slot.instance = new Instance<>(bean, bean.create(creationalContext), creationalContext);
            }
            return slot.instance == null ? null : cast(slot.instance.object);
        }
    }

    @Override
    public <T> T get(Contextual<T> bean) {
        return get(bean, null);
    }

    @Override
    public void destroy(Contextual<?> bean) {
        Slot slot = slot(bean);
        Instance<?> instance;
        synchronized (slot) {
            instance = slot.instance;
            slot.instance = null;
        }
        if (instance != null) {
            instance.destroy();
        }
    }

    @Override
    public boolean isActive() {
        return true;
    }

    private Slot slot(Contextual<?> bean) {
        Slot slot = slots.get(bean);
        if (slot == null) {
            throw new IllegalStateException("not a cluster singleton: " + bean);
        }
        return slot;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object object) {
        return (T) object;
    }

    /** One singleton's place in the context. */
    private static final class Slot {
        final Supplier<NotLeaderException> refusal;
        volatile Lease lease;
        volatile Instance<?> instance;

        Slot(Supplier<NotLeaderException> refusal) {
            this.refusal = refusal;
        }

        boolean mayServe() {
            Lease current = lease;
            return current != null && current.isValid();
        }
    }

    /**
     * An instance with what it takes to destroy it.
     *
     * @param <T> the bean type
     */
    public static final class Instance<T> {
        private final Contextual<T> bean;
        private final T object;
        private final CreationalContext<T> creationalContext;

        Instance(Contextual<T> bean, T object, CreationalContext<T> creationalContext) {
            this.bean = bean;
            this.object = object;
            this.creationalContext = creationalContext;
        }

        void destroy() {
            bean.destroy(object, creationalContext);
        }
    }
}
