package io.highlander.cdi.internal.context;

import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.lock.Lease;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.context.spi.AlterableContext;
import jakarta.enterprise.context.spi.Contextual;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.InjectionPoint;
import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The context of {@link ClusterSingletonScoped} beans: it has an instance of a singleton only while this
 * node leads it and the lease is valid. Anywhere else {@link #get} throws {@link NotLeaderException}, so
 * a call on a standby can never create a second instance.
 *
 * <p>Only the singleton's lifecycle thread creates instances ({@link #create}); a call never does, so that
 * {@code @PostConstruct} runs where the election can supervise it (backoff, failure count) and never on an
 * application thread. A call that arrives while {@code @PostConstruct} runs waits for it, up to a bound; a
 * call while there is no instance and none is being made (e.g. during a supervised backoff) is refused.
 *
 * <p>The context reports itself active at all times: whether it may serve is decided per singleton, and
 * the exception it throws is a {@code ContextNotActiveException}, as the CDI specification expects.
 */
public final class ClusterSingletonContext implements AlterableContext {

    private static final List<Annotation> REQUEST_CONTEXT_EVENTS = List.of(Initialized.Literal.REQUEST,
            BeforeDestroyed.Literal.REQUEST, Destroyed.Literal.REQUEST);

    /**
     * The container's own classes that Weld 5 loads and initializes only when it creates the first instance of a
     * bean with a {@code @PostConstruct} on a thread with no request context (found with -Xlog:class+load in the
     * benchmark's CreationMain): its injection context, the request context's bean store and state, the event
     * that carries metadata, and its context logger (a generated class). Initializing them runs no user code.
     */
    private static final List<String> WELD_FIRST_CREATION_CLASSES = List.of(
            "org.jboss.weld.injection.InjectionContextImpl", "org.jboss.weld.injection.producer.ResourceInjector$1",
            "org.jboss.weld.bean.proxy.DecoratorProxy", "org.jboss.weld.bean.ContextualInstance",
            "org.jboss.weld.contexts.beanstore.HashMapBeanStore", "org.jboss.weld.contexts.AbstractManagedContext$ManagedState",
            "org.jboss.weld.event.FastEvent$FastEventWithMetadataPropagation", "org.jboss.weld.logging.ContextLogger");

    private final Map<Contextual<?>, Slot> slots = new ConcurrentHashMap<>();

    /**
     * Declares a singleton's bean.
     *
     * @param bean      the bean
     * @param refusal   makes the exception for a call while this node does not lead
     * @param startWait how long a call waits for an instance whose {@code @PostConstruct} is running
     * @param replace   asks the singleton's lifecycle thread for a new instance, after the application destroyed
     *                  the current one ({@link #destroy(Contextual)}), since no call creates one
     */
    public void register(Contextual<?> bean, Supplier<NotLeaderException> refusal, Duration startWait,
                         Runnable replace) {
        slots.put(bean, new Slot(refusal, startWait.toNanos(), replace));
    }

    /**
     * Lets the bean have an instance for as long as {@code lease} is valid. Called on the singleton's
     * lifecycle thread, right before it {@linkplain #create creates} the instance, after the previous term's
     * instance was destroyed, so that terms never mix.
     *
     * @param bean  the bean
     * @param lease the new term's lease
     */
    public void open(Contextual<?> bean, Lease lease) {
        Slot slot = slot(bean);
        synchronized (slot) {
            slot.lease = lease;
            slot.creator = Thread.currentThread(); // calls until the creation wait for it
        }
    }

    /**
     * Does ahead, on a standby, what the first creation of the bean's instance would otherwise do on the takeover's
     * critical path (issue 12): resolves each of the bean's injection points, and makes the client proxy of each
     * normal-scoped bean they resolve to (the container generates a proxy class the first time). It creates no
     * instance of any bean and runs no user code: a client proxy is not the instance behind it, and a
     * {@code @Dependent} or pseudo-scoped dependency, whose reference would be its instance, is only resolved.
     *
     * @param bean        the singleton's bean
     * @param beanManager the application's bean manager
     */
    public void prepare(Contextual<?> bean, BeanManager beanManager) {
        slot(bean); // only a registered singleton
        if (!(bean instanceof Bean<?> declared)) {
            return;
        }
        for (InjectionPoint point : declared.getInjectionPoints()) {
            if (point.isDelegate()) {
                continue;
            }
            try {
                Bean<?> resolved = beanManager.resolve(beanManager.getBeans(point.getType(),
                        point.getQualifiers().toArray(new Annotation[0])));
                if (resolved != null && beanManager.isNormalScope(resolved.getScope())) {
                    beanManager.getReference(resolved, point.getType(), beanManager.createCreationalContext(resolved));
                }
            } catch (IllegalArgumentException e) {
                // a type the bean manager does not resolve this way (e.g. with a type variable): left to the creation
            }
        }
        // Weld runs a @PostConstruct inside a request context of its own when none is active (as on the lifecycle
        // thread), and fires @Initialized, @BeforeDestroyed and @Destroyed(RequestScoped.class) around it; resolving
        // those events' observers here, without notifying any, fills the container's resolution cache ahead
        for (Annotation requestContextEvent : REQUEST_CONTEXT_EVENTS) {
            beanManager.resolveObserverMethods(new Object(), requestContextEvent);
        }
        Class<?> instance = Instance.class; // loaded here rather than when the first instance is kept
        ClassLoader container = beanManager.getClass().getClassLoader();
        for (String name : WELD_FIRST_CREATION_CLASSES) {
            try {
                Class.forName(name, true, container);
            } catch (ClassNotFoundException | LinkageError e) {
                // another container, or another version of Weld: nothing to load ahead
            }
        }
    }

    /**
     * Refuses new calls at once, if the context is still open for {@code lease}; a later term's lease is left
     * alone. Never waits for user code, so that the lease watchdog can call it at the deadline.
     *
     * @param bean  the bean
     * @param lease the lease of the term that ends
     */
    public void close(Contextual<?> bean, Lease lease) {
        Slot slot = slot(bean);
        synchronized (slot) {
            if (slot.lease == lease) {
                slot.lease = null;
                slot.notifyAll();
            }
        }
    }

    /**
     * Creates the instance for the term of {@code lease}: runs {@code @PostConstruct} on the calling thread (the
     * singleton's lifecycle thread), outside any lock, so that {@link #close} never waits for it. The instance
     * is kept even if the term ended meanwhile, so that the term's stop destroys it.
     *
     * @param bean              the bean
     * @param creationalContext for the new instance
     * @param lease             the term's lease
     * @param <T>               the bean type
     * @return whether the instance serves calls now (the term did not end while it was created)
     */
    public <T> boolean create(Contextual<T> bean, CreationalContext<T> creationalContext, Lease lease) {
        Slot slot = slot(bean);
        synchronized (slot) {
            if (slot.lease != lease || !slot.mayServe()) {
                slot.creator = null;
                return false;
            }
            if (slot.instance != null) {
                return true;
            }
            slot.creator = Thread.currentThread();
        }
        Instance<T> created = null;
        try {
            created = new Instance<>(bean, bean.create(creationalContext), creationalContext);
        } finally {
            synchronized (slot) {
                slot.creator = null;
                if (created != null) {
                    slot.instance = created;
                }
                slot.notifyAll();
            }
        }
        return slot.lease == lease && slot.mayServe();
    }

    /**
     * Takes the instance out of the context; the caller destroys it with {@link #destroy(Instance)} on a thread
     * where user code may run.
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
     * Destroys an instance taken out by {@link #takeInstance}: runs its {@code @PreDestroy}.
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

    /** Never creates: only {@link #create} does, on the lifecycle thread. */
    @Override
    public <T> T get(Contextual<T> bean, CreationalContext<T> creationalContext) {
        Slot slot = slot(bean);
        Instance<?> existing = slot.instance;
        if (existing != null && slot.mayServe()) {
            return cast(existing.object);
        }
        if (creationalContext == null) {
            if (!slot.mayServe()) {
                throw slot.refusal.get();
            }
            return existing == null ? null : cast(existing.object);
        }
        return cast(awaitInstance(slot));
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
            slot.replace.run();
        }
    }

    @Override
    public boolean isActive() {
        return true;
    }

    /** Waits, up to the slot's bound, for an instance that is being created; refuses otherwise. */
    private static Object awaitInstance(Slot slot) {
        long deadline = System.nanoTime() + slot.startWaitNanos;
        synchronized (slot) {
            while (true) {
                if (!slot.mayServe()) {
                    throw slot.refusal.get();
                }
                if (slot.instance != null) {
                    return slot.instance.object;
                }
                long left = deadline - System.nanoTime();
                Thread creator = slot.creator;
                if (creator == null || creator == Thread.currentThread() || left <= 0) {
                    throw slot.refusal.get(); // nothing is being created (a backoff), or a call from @PostConstruct
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(slot, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw slot.refusal.get();
                }
            }
        }
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

    /** One singleton's place in the context; changed under its own monitor, read without it on the fast path. */
    private static final class Slot {
        final Supplier<NotLeaderException> refusal;
        final long startWaitNanos;
        final Runnable replace;
        volatile Lease lease;
        volatile Instance<?> instance;
        /** The lifecycle thread while it is about to create or creates the instance; calls wait for it. */
        Thread creator;

        Slot(Supplier<NotLeaderException> refusal, long startWaitNanos, Runnable replace) {
            this.refusal = refusal;
            this.startWaitNanos = startWaitNanos;
            this.replace = replace;
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
