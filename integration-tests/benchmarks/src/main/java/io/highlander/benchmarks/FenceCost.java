package io.highlander.benchmarks;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.internal.HighlanderExtension;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The cost of one fenced transaction ({@link Leadership#fence}) against the same transaction unfenced, on one warm
 * connection in the same window: a Weld SE container in the harness JVM leads the election {@value #NAME}, and the
 * application's own connection (not one of the library's) runs {@code INSERT} + {@code commit}, alternately plain
 * and fenced, so that both see the same machine at the same moments. Statements and round trips per transaction
 * are counted by {@link CountingConnection} on that connection over the whole measured window, not assumed.
 */
final class FenceCost {

    /** The election the measured node leads. */
    static final String NAME = "bench-fence";

    private static final String INSERT = "INSERT INTO fence_bench (v) VALUES (?)";

    /** The figures of one run. */
    record Result(Latency plain, Latency fenced, double plainStatements, double plainRoundTrips,
                  double fencedStatements, double fencedRoundTrips, String fencedCalls) {
    }

    /** The library's lock connections for the container below; set before it starts (one run at a time). */
    private static volatile DataSource libraryDataSource;

    private FenceCost() {
    }

    /**
     * @param warmUp   transactions of each kind before the window (not recorded)
     * @param measured transactions of each kind in the window
     */
    static Result run(PostgresServer server, int warmUp, int measured) throws Exception {
        String database = server.newDatabase("fence");
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(server.url(database));
        pg.setUser(server.user());
        if (server.password() != null && !server.password().isEmpty()) {
            pg.setPassword(server.password());
        }
        try (Connection setup = pg.getConnection(); Statement statement = setup.createStatement()) {
            statement.execute("CREATE TABLE fence_bench (id bigserial PRIMARY KEY, v int NOT NULL)");
        }
        libraryDataSource = pg;
        WeldContainer container = new Weld("bench-fence").disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(Wiring.class, FencedWork.class)
                .addExtension(new HighlanderExtension())
                .initialize();
        try (Connection raw = pg.getConnection()) {
            FencedWork work = container.select(FencedWork.class).get();
            work.awaitLeading();
            CountingConnection counting = new CountingConnection(raw);
            Connection connection = counting.proxy();
            connection.setAutoCommit(false);
            for (int i = 0; i < warmUp; i++) {
                plain(connection, i);
                work.fenced(connection, i);
            }
            Latency plain = new Latency();
            Latency fenced = new Latency();
            CountingConnection.Counts plainCounts = new CountingConnection.Counts();
            CountingConnection.Counts fencedCounts = new CountingConnection.Counts();
            String fencedCalls = null;
            for (int i = 0; i < measured; i++) {
                counting.countInto(plainCounts, false);
                long start = System.nanoTime();
                plain(connection, i);
                plain.record((System.nanoTime() - start) / 1_000);
                counting.countInto(fencedCounts, i == 0); // the first fenced transaction's calls are kept, to print
                start = System.nanoTime();
                work.fenced(connection, i);
                fenced.record((System.nanoTime() - start) / 1_000);
                if (i == 0) {
                    fencedCalls = counting.calls();
                }
            }
            counting.countInto(null, false);
            return new Result(plain, fenced, plainCounts.statements() / (double) measured,
                    plainCounts.roundTrips() / (double) measured, fencedCounts.statements() / (double) measured,
                    fencedCounts.roundTrips() / (double) measured, fencedCalls);
        } finally {
            container.shutdown();
            libraryDataSource = null;
        }
    }

    private static void plain(Connection connection, int value) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setInt(1, value);
            insert.executeUpdate();
        }
        connection.commit();
    }

    /** The measured node's lock connections. */
    @ApplicationScoped
    static class Wiring {
        @Produces
        @HighlanderDataSource
        @ApplicationScoped
        DataSource dataSource() {
            return libraryDataSource;
        }
    }

    /**
     * The application's transaction, fenced by the term of {@value #NAME}; the {@code @LeaderOnly} method also
     * makes {@value #NAME} an election of this node.
     */
    @ApplicationScoped
    static class FencedWork {
        @Inject
        @OfSingleton(NAME)
        Leadership leadership;

        @LeaderOnly(NAME)
        public void touch() {
            // only binds the election
        }

        void awaitLeading() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!leadership.isValid()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the benchmark's node never led " + NAME);
                }
                Thread.sleep(1);
            }
        }

        void fenced(Connection connection, int value) throws SQLException {
            leadership.fence(connection);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setInt(1, value);
                insert.executeUpdate();
            }
            connection.commit();
        }
    }
}
