package io.highlander.cdi.internal.events;

import io.highlander.cdi.LeadershipAcquired;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.internal.Messages;
import jakarta.enterprise.inject.spi.BeanManager;

/**
 * Fires the leadership events, qualified with {@link OfSingleton}, on the calling thread (a singleton's
 * lifecycle thread). A failing observer is logged and kept apart: it cannot stall an election or stop
 * the other observers' events from being fired next time.
 */
public final class LeadershipNotifier {

    private static final System.Logger LOG = System.getLogger(LeadershipNotifier.class.getName());

    private final BeanManager beanManager;

    /** @param beanManager the application's bean manager */
    public LeadershipNotifier(BeanManager beanManager) {
        this.beanManager = beanManager;
    }

    /** @param event the event to fire */
    public void acquired(LeadershipAcquired event) {
        fire(LeadershipAcquired.class, event, event.singleton());
    }

    /** @param event the event to fire */
    public void lost(LeadershipLost event) {
        fire(LeadershipLost.class, event, event.singleton());
    }

    private <E> void fire(Class<E> type, E event, String singleton) {
        try {
            beanManager.getEvent().select(type, OfSingleton.Literal.of(singleton)).fire(event);
        } catch (RuntimeException e) {
            // ObserverException wraps only checked exceptions; a RuntimeException arrives as itself.
            LOG.log(System.Logger.Level.ERROR, Messages.observerFailed(singleton, type.getSimpleName()), e);
        }
    }
}
