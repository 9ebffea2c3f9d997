package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.Pgbouncer;
import io.highlander.cdi.testing.Pgbouncer.PoolMode;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Many nodes through one pgbouncer in session mode (issue 22): each client connection keeps its own backend, so a
 * pool of two server connections per node serves a cluster as direct connections do.
 */
class PgbouncerClusterTest {

    private static final List<String> SINGLETONS = List.of("pooled-a", "pooled-b", "pooled-c", "pooled-d");

    @TempDir
    Path directory;

    private final List<TestNode> nodes = new ArrayList<>();
    private TestPostgres postgres;
    private String database;
    private Pgbouncer pgbouncer;

    @BeforeEach
    void requirePgbouncer() throws InterruptedException {
        Optional<String> missing = Pgbouncer.ensureInstalled();
        Assumptions.assumeTrue(missing.isEmpty(), () -> missing.orElseThrow());
        postgres = TestPostgres.shared();
        database = postgres.newDatabase().replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestNode::close);
        if (pgbouncer != null) {
            pgbouncer.close();
        }
    }

    @Test
    void twentyNodesThroughOneSessionPoolerLeadAndReplaceALeaderWhoseSessionsEnded() throws Exception {
        int count = 20;
        start(2 * count + 2); // two per node, and a starting node's two short-lived checks
        List<String> twoLeaders = new CopyOnWriteArrayList<>(); // the record: every sample with two leaders at once
        for (int i = 0; i < count; i++) {
            HighlanderSettings settings = HighlanderSettings.builder().nodeId("p" + i).lease(Duration.ofSeconds(5))
                    .placement(HighlanderSettings.Placement.BALANCED).build();
            nodes.add(TestNode.start(settings, dataSource(pgbouncer.defaultUrl(database)), Map.of(),
                    PooledA.class, PooledB.class, PooledC.class, PooledD.class));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> SINGLETONS.stream().allMatch(name ->
                leaders(name, twoLeaders).size() == 1));
        TestNode leader = leaders("pooled-a", twoLeaders).get(0);

        // the server ends every session of the leader (as when its process dies: the backends go, and pgbouncer's
        // reset of the server connection, DISCARD ALL, would let any lock go too); then its container goes
        int ended = terminate("highlander:" + leader.id());
        leader.close();
        nodes.remove(leader);

        await().atMost(Duration.ofSeconds(30)).until(() -> SINGLETONS.stream().allMatch(name ->
                leaders(name, twoLeaders).size() == 1));
        assertThat(ended).as("sessions of the leader the server ended").isEqualTo(2);
        assertThat(twoLeaders).as("samples in which two nodes led one singleton").isEmpty();
        assertThat(serverConnections()).as("server connections through pgbouncer").isLessThanOrEqualTo(2 * (count - 1) + 2);
    }

    @Test
    void aPoolOfLessThanTwoServerConnectionsPerNodeIsSaidInOneLineInsteadOfHoldingTheDeploymentUp() throws Exception {
        start(4); // two nodes' worth: the third node's connections wait in pgbouncer's queue (query_wait_timeout 120 s)
        try (LogRecorder log = LogRecorder.of("io.highlander.cdi")) {
            for (int i = 0; i < 2; i++) {
                nodes.add(TestNode.start(HighlanderSettings.builder().nodeId("q" + i).build(),
                        dataSource(pgbouncer.defaultUrl(database)), Map.of(), PooledA.class));
            }
            // both nodes hold their two server connections (the watcher connects after the node session): the pool is full
            await().atMost(Duration.ofSeconds(30)).until(() -> serverConnections() == 4);
            CompletableFuture<TestNode> third = CompletableFuture.supplyAsync(() -> TestNode.start(
                    HighlanderSettings.builder().nodeId("q2").build(), dataSource(pgbouncer.defaultUrl(database)),
                    Map.of(), PooledA.class));
            try {
                nodes.add(third.get(60, TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                throw new AssertionError("the third node's deployment still waits after 60 s, and nothing says why", e);
            }

            assertThat(log.messages()).as("what the third node logged").anyMatch(message -> message != null
                    && message.contains("HL-0361: the first statement on a connection of DataSource @HighlanderDataSource"
                    + " bean io.highlander.cdi.testing.TestNode got no answer within 10 s: PostgreSQL, or a pooler in"
                    + " front of it, has no server connection free for it. A pooler in session mode (pgbouncer) gives"
                    + " each client connection a server connection of its own for as long as it is open, and every"
                    + " node holds two for good (its node session and its watcher): size its pool to at least two per"
                    + " node (pgbouncer's default_pool_size), or connect Highlander directly."));
        }
    }

    /** @return the nodes that lead the singleton now; two or more are written to the record */
    private List<TestNode> leaders(String singleton, List<String> twoLeaders) {
        List<TestNode> leading = nodes.stream().filter(node -> node.running() && node.elector().isLeader(singleton))
                .toList();
        if (leading.size() > 1) {
            twoLeaders.add(singleton + ": " + leading);
        }
        return leading;
    }

    private int terminate(String applicationName) throws Exception {
        try (Connection direct = postgres.connect(database);
             PreparedStatement terminate = direct.prepareStatement("SELECT count(*) FILTER (WHERE"
                     + " pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?"
                     + " AND datname = current_database()")) {
            terminate.setString(1, applicationName);
            try (ResultSet row = terminate.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private int serverConnections() throws Exception {
        try (Connection direct = postgres.connect(database);
             PreparedStatement query = direct.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                     + " WHERE datname = current_database() AND application_name LIKE 'highlander:%'");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    private void start(int poolSize) throws Exception {
        Matcher server = Pattern.compile("//(localhost|127\\.0\\.0\\.1):(\\d+)/").matcher(postgres.url());
        Assumptions.assumeTrue(server.find(), "pgbouncer runs on this host, in front of a server on this host");
        pgbouncer = Pgbouncer.start(directory.resolve("pgbouncer"), Integer.parseInt(server.group(2)), database,
                postgres.user(), poolSize, false, PoolMode.SESSION);
    }

    private PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(postgres.user());
        if (postgres.password() != null) {
            dataSource.setPassword(postgres.password());
        }
        return dataSource;
    }

    @ApplicationScoped @ClusterSingleton("pooled-a") static class PooledA { }
    @ApplicationScoped @ClusterSingleton("pooled-b") static class PooledB { }
    @ApplicationScoped @ClusterSingleton("pooled-c") static class PooledC { }
    @ApplicationScoped @ClusterSingleton("pooled-d") static class PooledD { }
}
