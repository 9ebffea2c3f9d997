package io.highlander.cdi.failover;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A hot standby is never used for locks: advisory locks there are local to that replica, so two nodes on two
 * replicas would both lead. A node pointed at one fails to deploy (HL-0308), on a real streaming replica.
 */
class StandbyIT {

    @Test
    void aNodePointedAtAStreamingReplicaFailsToDeployWithHl0308() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            PgServer replica = postgres.replicaOf(primary);
            String url = "jdbc:postgresql://127.0.0.1:" + replica.port() + "/" + ReplicatedPostgres.DATABASE;
            try (Nodes nodes = new Nodes()) {
                assertThatThrownBy(() -> nodes.start(ReplicatedPostgres.dataSource(url), 1))
                        .hasStackTraceContaining("HL-0308: the DataSource")
                        .hasStackTraceContaining("points at a server in recovery (a hot standby)");
            }
        }
    }
}
