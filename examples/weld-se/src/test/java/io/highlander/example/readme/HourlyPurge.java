package io.highlander.example.readme;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.RunOnce;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

@ApplicationScoped
public class HourlyPurge {

    @LeaderOnly("cleanup")
    @RunOnce(every = "PT1H", misfireGrace = "PT30S")
    public void purge(Instant scheduledFor) {   // fired on every node: an executor, @Schedule, @Scheduled, runAt
        // runs on the leader, once per hour: an hour the old leader ran is not run again by the next one
    }
}
