package io.highlander.example;

import io.highlander.cdi.LeaderElector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Prints what this node does, one line each: {@code <instant> <node> <event> [key=value ...]}, e.g.
 * {@code 2026-11-25T07:00:01.123456Z a tick n=7 token=734}. Easy to read, and to parse: the demo
 * reads these lines to measure failovers.
 */
@ApplicationScoped
public class Report {

    @Inject
    LeaderElector elector;

    /** Prints an event that happens now. */
    public void print(String event, String details) {
        print(Instant.now(), event, details);
    }

    /** Prints an event that happened at {@code at}. */
    public void print(Instant at, String event, String details) {
        System.out.println(at.truncatedTo(ChronoUnit.MICROS) + " " + elector.nodeId() + " " + event + (details.isEmpty() ? "" : " " + details));
    }
}
