package io.highlander.cdi.failover;

import static io.highlander.cdi.failover.PromotionIT.awaitTerms;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Which cluster a node's session is on, as a plain role sees it: the system identifier from
 * {@code pg_control_system()}, and where an administrator revoked that function, no identifier but still the
 * timeline, and the node still leads.
 */
class ClusterIdentityIT {

    @Test
    void aPlainRoleReadsTheSystemIdentifierAndANodeStillLeadsWhereItWasRevoked() throws Exception {
        try (ReplicatedPostgres postgres = new ReplicatedPostgres()) {
            PgServer primary = postgres.newCluster(0);
            long system = primary.queryLong("SELECT system_identifier FROM pg_control_system()");
            String url = ReplicatedPostgres.url(primary.port());
            try (Nodes nodes = new Nodes().start(ReplicatedPostgres.dataSource(url), 1)) {
                awaitTerms(nodes, 1);
                assertThat(nodes.all().get(0).elector().status(Nodes.SINGLETON).database()).get().asString()
                        .endsWith("/app (cluster " + system + ", timeline 1)");
            }

            try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + primary.port()
                    + "/" + ReplicatedPostgres.DATABASE + "?user=postgres"); Statement s = c.createStatement()) {
                s.execute("REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
            }
            try (Nodes nodes = new Nodes().start(ReplicatedPostgres.dataSource(url), 1)) {
                awaitTerms(nodes, 1);
                assertThat(nodes.all().get(0).elector().status(Nodes.SINGLETON).database()).get().asString()
                        .endsWith("/app (cluster unknown, timeline 1)");
            }
        }
    }
}
