package io.highlander.it.appservers.fenced;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Where a fenced transaction waits until the test lets it go on to its commit. */
@ApplicationScoped
public class Hold {

    private final CountDownLatch released = new CountDownLatch(1);

    /** Lets the waiting transaction go on. */
    public void release() {
        released.countDown();
    }

    /** @return whether the test let go within a minute (false: gave up waiting) */
    boolean await() {
        try {
            return released.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
