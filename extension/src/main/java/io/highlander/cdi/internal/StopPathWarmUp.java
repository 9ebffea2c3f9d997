package io.highlander.cdi.internal;

import io.highlander.cdi.internal.election.Elections;
import jakarta.enterprise.event.Shutdown;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Links a graceful stop's path while the node runs, so that the first stop of a JVM does not (issue 22). Between a
 * SIGTERM and {@code @PreDestroy}, a JVM that never stopped before resolved CDI's {@link Shutdown} observers for
 * the first time and linked the library's stop path (a lambda costs a class spun at its first use): milliseconds,
 * while the next node waited for the lock. Here, once the elections have started, the container resolves the
 * observers of {@link Shutdown} the way a container fires it (its event for the type, with {@code @Any}), which
 * fills its resolution cache and loads its classes without notifying anybody, and each election links its end of
 * a term ({@link Elections#warmStop}). Nothing here changes a state or fires an event.
 */
final class StopPathWarmUp {

    private static final Logger LOG = System.getLogger(StopPathWarmUp.class.getName());

    private StopPathWarmUp() {
    }

    /**
     * @param beanManager the application's bean manager
     * @param elections   the node's elections, started
     */
    static void run(BeanManager beanManager, Elections elections) {
        try {
            beanManager.getEvent().select(Shutdown.class, Any.Literal.INSTANCE); // what Weld SE fires it through
            beanManager.resolveObserverMethods(new Shutdown(), Any.Literal.INSTANCE);
        } catch (RuntimeException e) {
            // a container that resolves no such event ahead only loses the head start; the stop works as ever
            LOG.log(Level.DEBUG, "the observers of Shutdown were not resolved ahead", e);
        }
        elections.warmStop();
    }
}
