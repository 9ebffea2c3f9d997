package io.highlander.cdi.events;

import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.OfSingleton;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Observes the ticker's {@code LeadershipLost} and stays in the observer until the test lets it go. */
@ApplicationScoped
public class SlowLossObserver {

    /** Shared by the test and every node, through {@code TestCluster.share}. */
    public static final class Gate {
        final CountDownLatch open = new CountDownLatch(1);
        volatile String observing;

        /** Lets every waiting observer return. */
        public void open() {
            open.countDown();
        }

        /** @return the node whose observer is in progress, or {@code null} */
        public String observing() {
            return observing;
        }
    }

    @Inject
    Gate gate;

    void lost(@Observes @OfSingleton("ticker") LeadershipLost event) throws InterruptedException {
        gate.observing = event.nodeId();
        gate.open.await(60, TimeUnit.SECONDS);
    }
}
