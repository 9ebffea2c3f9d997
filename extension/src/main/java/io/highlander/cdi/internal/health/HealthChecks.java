package io.highlander.cdi.internal.health;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.SingletonState;
import io.highlander.cdi.SingletonStatus;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile Health checks named {@code highlander}, registered by the extension only when the
 * application has the MicroProfile Health API. Both report each singleton's state on this node as data.
 * <ul>
 *   <li><b>liveness</b> is DOWN only when an election has failed for good (a pooler in transaction mode was
 *       detected): a standby is perfectly alive;</li>
 *   <li><b>readiness</b> is DOWN until every election has reached the database once, and when one has
 *       failed for good; it stays UP on a standby and while reconnecting.</li>
 * </ul>
 */
@Dependent
public class HealthChecks {

    private static final String NAME = "highlander";

    @Produces
    @Liveness
    HealthCheck liveness(LeaderElector elector) {
        return () -> response(elector, status -> status.state() != SingletonState.FAILED);
    }

    @Produces
    @Readiness
    HealthCheck readiness(LeaderElector elector) {
        return () -> response(elector, status -> status.state() != SingletonState.FAILED
                && status.state() != SingletonState.STARTING && status.database().isPresent());
    }

    private static HealthCheckResponse response(LeaderElector elector, java.util.function.Predicate<SingletonStatus> healthy) {
        List<SingletonStatus> all = elector.status();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("node", elector.nodeId());
        // which server, cluster and timeline: after a failover, every node's should show the new one
        all.stream().flatMap(status -> status.database().stream()).findFirst()
                .ifPresent(database -> data.put("database", database));
        all.forEach(status -> data.put(status.singleton(), status.state().name()
                + status.leader().map(leader -> " (leader " + leader + ")").orElse("")));
        boolean up = all.stream().allMatch(healthy);
        return new HealthCheckResponse(NAME, up ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
                Optional.of(data));
    }
}
