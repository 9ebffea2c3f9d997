package io.highlander.example;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.NotLeaderException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * Lives on every node; {@link TickerApp}'s scheduler calls {@link #beat()} on every node, and only the node that
 * leads the {@link Ticker} runs it. A plain bean rather than the singleton itself: on a standby a call to the
 * singleton fails before any interceptor could skip it, since there is no instance to call.
 */
@ApplicationScoped
public class Metronome {

    @Inject
    Ticker ticker;
    @Inject
    Report report;

    /** Ticks the singleton, on the leader only; elsewhere the call is skipped (and counted in status()). */
    @LeaderOnly(Ticker.NAME)
    public void beat() {
        Instant now = Instant.now();
        try {
            ticker.tick(now);
        } catch (NotLeaderException e) {
            // leadership ended between the interceptor's check and the call: the instance is gone already
        }
    }
}
