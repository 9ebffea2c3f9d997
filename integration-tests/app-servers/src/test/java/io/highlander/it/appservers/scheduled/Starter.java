package io.highlander.it.appservers.scheduled;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** Starts the schedule on every node: the first call of a scheduled asynchronous method only schedules it. */
@ApplicationScoped
public class Starter {

    @Inject
    EverySecond everySecond;

    void start(@Observes @Initialized(ApplicationScoped.class) Object event) {
        everySecond.fire();
    }
}
