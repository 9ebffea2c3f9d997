package io.highlander.cdi.internal.threads;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Makes Highlander's threads. In a Jakarta EE server they come from the server's default
 * {@code ManagedThreadFactory}, so that user code in {@code @PostConstruct}, {@code @PreDestroy} and event
 * observers sees the application's class loader and JNDI namespace; elsewhere they are plain daemon
 * threads. Every thread is named {@code highlander-<singleton>-<job>} (or {@code highlander-node-<job>} for a
 * node's own); a node's singletons share its {@link LifecyclePool}.
 */
public final class LifecycleThreads {

    private static final String MANAGED_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";

    private final ThreadFactory managed;

    private LifecycleThreads(ThreadFactory managed) {
        this.managed = managed;
    }

    /**
     * Looks the server's thread factory up; call it on an application thread (during deployment), where
     * {@code java:comp} is visible.
     *
     * @return the threads of this application
     */
    public static LifecycleThreads forApplication() {
        try {
            Object found = new InitialContext().lookup(MANAGED_THREAD_FACTORY);
            if (found instanceof ThreadFactory factory) {
                return new LifecycleThreads(factory);
            }
        } catch (NamingException | RuntimeException | LinkageError e) {
            // Not in a Jakarta EE server (no JNDI, or no such name): plain threads serve.
        }
        return new LifecycleThreads(null);
    }

    /** @return whether threads come from the server's {@code ManagedThreadFactory} */
    public boolean managed() {
        return managed != null;
    }

    /**
     * @param name the thread's name
     * @param task what it runs
     * @return a new thread, not started
     */
    public Thread newThread(String name, Runnable task) {
        Thread thread;
        if (managed != null) {
            thread = managed.newThread(task);
        } else {
            thread = new Thread(task);
            thread.setDaemon(true);
        }
        thread.setName(name);
        return thread;
    }

    /**
     * @param name the thread's name
     * @return a scheduler with one thread of that name
     */
    public ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(task -> newThread(name, task));
    }
}
