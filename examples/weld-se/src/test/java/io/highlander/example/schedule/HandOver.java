package io.highlander.example.schedule;

import java.time.Instant;

/** The second at which the leader steps down right after running it; shared by the nodes of a test. */
public final class HandOver {

    private volatile Instant at = Instant.MAX;

    /** @return the second */
    public Instant at() {
        return at;
    }

    /** @param second the second at which the leader steps down */
    public void at(Instant second) {
        at = second;
    }
}
