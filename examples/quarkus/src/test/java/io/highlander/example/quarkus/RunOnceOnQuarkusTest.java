package io.highlander.example.quarkus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import io.highlander.cdi.internal.schedule.RunLedger;
import io.highlander.cdi.testing.TestPostgres;
import io.quarkus.scheduler.ScheduledExecution;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code @Scheduled} + {@code @LeaderOnly} + {@code @RunOnce} on Quarkus ({@link RunOnceSweep}): Quarkus' scheduler
 * fires the job every second; the node hands its term over ({@code stepDown} with a hold-off, then takes the next
 * term); and a late firing of an instant that already ran (an old leader's, or a timer on a clock that is behind)
 * is made by hand. On the record (the job's runs, each with its firing's scheduled time and token, and the ledger's
 * rows): every instant ran at most once, every run has its ledger row with the token of its term, every row its run,
 * the runs of the second term carry a greater token, and the late firing did not run.
 */
@QuarkusTest
@TestProfile(RunOnceOnQuarkusTest.Profile.class)
@WithTestResource(RunOnceOnQuarkusTest.Ledger.class)
class RunOnceOnQuarkusTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final long PERIOD_MILLIS = 1_000;
    private static volatile String url;

    @Inject
    RunOnceSweep sweep;

    @Inject
    LeaderElector elector;

    @Inject
    @OfSingleton(RunOnceSweep.NAME)
    Leadership term;

    /** Turns the test's job on (a build property: a fresh application for this class). */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("example.test.runonce", "true");
        }
    }

    /** A fresh database with the ledger table, created as the README says (the library never creates it). */
    public static class Ledger implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Map<String, String> settings = new HashMap<>(new PostgresResource().start());
            url = settings.get("quarkus.datasource.jdbc.url");
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                statement.execute(RunLedger.DDL);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return settings;
        }

        @Override
        public void stop() {
            // the shared PostgreSQL stops with the JVM
        }
    }

    /** A ledger row. */
    record Row(Instant instant, long token, String node) {
    }

    @Test
    void eachInstantIsRecordedAndRunsOnceAcrossAHandOver() throws Exception {
        await().atMost(BOUND).until(() -> sweep.runs().size() >= 3);
        long firstToken = term.fencingToken();
        elector.stepDown(RunOnceSweep.NAME, Duration.ofMillis(1_500));
        await().atMost(BOUND).until(() -> sweep.runs().stream().filter(r -> r.token() > firstToken).count() >= 3);

        RunOnceSweep.Run done = sweep.runs().get(0);
        sweep.sweep(lateFiring(done.scheduled())); // a second firing of an instant that ran: skipped
        List<RunOnceSweep.Run> runs = sweep.runs();
        List<Row> ledger = ledger();

        Map<Instant, List<RunOnceSweep.Run>> byInstant = runs.stream()
                .collect(Collectors.groupingBy(run -> instantOf(run.scheduled())));
        assertThat(byInstant.values()).as("runs of each instant; runs " + runs).allSatisfy(list -> assertThat(list).hasSize(1));
        assertThat(byInstant.get(instantOf(done.scheduled()))).as("the late firing's instant ran once").hasSize(1);
        for (RunOnceSweep.Run run : runs) {
            assertThat(ledger).as("the ledger row of " + run).contains(new Row(instantOf(run.scheduled()), run.token(),
                    elector.nodeId()));
        }
        List<Row> recordedThrough = ledger.stream()
                .filter(row -> !row.instant().isAfter(instantOf(runs.get(runs.size() - 1).scheduled()))).toList();
        assertThat(recordedThrough).as("rows, each of a run").hasSameSizeAs(runs);
        assertThat(runs.stream().map(RunOnceSweep.Run::token).distinct().toList()).as("the terms' tokens, in order")
                .hasSize(2).isSorted();
    }

    /** The instant a firing names: its scheduled time a tenth of a period later, truncated to the period. */
    private static Instant instantOf(Instant scheduled) {
        long at = scheduled.toEpochMilli() + PERIOD_MILLIS / 10;
        return Instant.ofEpochMilli(Math.floorDiv(at, PERIOD_MILLIS) * PERIOD_MILLIS);
    }

    /** A firing as Quarkus hands it to the method, scheduled at the given time. */
    private static ScheduledExecution lateFiring(Instant scheduled) {
        return (ScheduledExecution) Proxy.newProxyInstance(RunOnceOnQuarkusTest.class.getClassLoader(),
                new Class<?>[] {ScheduledExecution.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getScheduledFireTime" -> scheduled;
                    case "getFireTime" -> Instant.now();
                    case "toString" -> "late firing of " + scheduled;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static List<Row> ledger() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection connection = connect();
             PreparedStatement query = connection.prepareStatement("SELECT instant, fencing_token, node"
                     + " FROM highlander_scheduled_run WHERE election = ? ORDER BY instant")) {
            query.setString(1, RunOnceSweep.NAME);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    rows.add(new Row(row.getTimestamp(1).toInstant(), row.getLong(2), row.getString(3)));
                }
            }
        }
        return rows;
    }

    private static Connection connect() throws SQLException {
        TestPostgres postgres = TestPostgres.shared();
        return DriverManager.getConnection(url, postgres.user(), postgres.password());
    }
}
