package io.highlander.it.appservers.fenced;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Where a fenced transaction waits until the test lets it go on to its commit: one release lets one go. */
@ApplicationScoped
public class Hold {

    private final Semaphore released = new Semaphore(0);

    /** Lets one waiting transaction go on (or the next one that comes). */
    public void release() {
        released.release();
    }

    /** @return whether the test let go within a minute (false: gave up waiting) */
    boolean await() {
        try {
            return released.tryAcquire(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
