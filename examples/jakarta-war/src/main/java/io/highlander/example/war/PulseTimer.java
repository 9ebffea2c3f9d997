package io.highlander.example.war;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.NotLeaderException;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;

/**
 * The scheduler of the {@link Pulse}: a non-persistent EJB timer that fires once a second on every node; only the
 * node that leads "pulse" runs the firing, every other node skips it ({@code @LeaderOnly}, counted in
 * {@code /status}). A persistent timer is not needed and not wanted: each node keeps its own timer, and the
 * election, not the timer store, decides who runs.
 */
@Singleton
public class PulseTimer {

    @Inject
    Pulse pulse;

    @LeaderOnly(Pulse.NAME)
    @Schedule(hour = "*", minute = "*", second = "*", persistent = false)
    void fire() {
        try {
            pulse.beat();
        } catch (NotLeaderException e) {
            // leadership ended between the interceptor's check and the call: the next firing is skipped
        }
    }
}
