package io.highlander.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.internal.schedule.RunLedger;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code @RunOnce} across hand-overs forced at a scheduled instant, on three node processes
 * ({@link RunOnceNodeMain}: a job fired every second by each node's own timer, each node's timer late by a seeded
 * skew of up to {@value #MAX_SKEW_MILLIS} ms, as on nodes whose clocks differ). The leader is made to hand over
 * within {@value #MAX_OFFSET_MILLIS} ms either side of a period's start: SIGTERM, SIGKILL, {@code stepDown}, and
 * SIGSTOP past the lease (the frozen leader resumes later and its timer fires the instant it was waiting for). The
 * record is every node's firings and runs, their leadership events, the faults, and the run ledger's rows; judged
 * on it:
 * <ul>
 *   <li>each instant ran at most once, cluster-wide;</li>
 *   <li>every run has its ledger row, written by the node that ran it with the token of the term it ran in;</li>
 *   <li>an instant that no one ran is one the misfire policy lets go ({@code misfireGrace = PT0.6S}): no node that
 *       fired it led, within the grace after its firing, for {@code runonce.slackMillis} (default 200 ms, the
 *       loaded machine's allowance for a wait that polls and a ledger write).</li>
 * </ul>
 * The faults' offsets and the skews come from one seed, printed; {@code -Drunonce.seed=<seed>} replays them.
 * {@code -Dfaults.runonce=off} runs the nodes' job without {@code @RunOnce}: the test must then fail.
 */
class RunOnceHandOverIT {

    static final long MAX_OFFSET_MILLIS = 60;
    static final long MAX_SKEW_MILLIS = 200;
    static final long SLACK_MICROS = Long.getLong("runonce.slackMillis", 200) * 1_000;
    static final int ROUNDS = Integer.getInteger("runonce.rounds", 2);
    static final Duration BOUND = FaultCluster.LEASE.plusSeconds(15);
    static final List<String> NODES = List.of("a", "b", "c");

    private FaultCluster cluster;
    private final List<Fault> faults = new ArrayList<>();

    /** A fault the test sent, at the instant (epoch µs) just before it sent it. */
    record Fault(String node, String kind, long micros) {
    }

    /** A firing of a node's timer, or a run of the job's body. */
    record Firing(String node, long instant, long token, long micros) {
    }

    /** A node's term as its events show it: from {@code acquired} to its end (its {@code lost}, or a fault). */
    record Term(String node, long token, long begin, long end) {
    }

    /** A ledger row. */
    record Row(long instant, long token, String node) {
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void eachInstantRunsAtMostOnceAndAMissedOneIsRunByTheNewLeaderWithinTheGrace() throws Exception {
        long seed = Long.getLong("runonce.seed", System.nanoTime());
        boolean runOnce = !"off".equals(System.getProperty("faults.runonce"));
        System.out.println("runonce: seed " + seed + " (replay: -Drunonce.seed=" + seed + "), @RunOnce "
                + (runOnce ? "on" : "OFF") + ", " + ROUNDS + " rounds of SIGTERM, SIGKILL, stepDown, SIGSTOP");
        Random random = new Random(seed);
        cluster = new FaultCluster("runonce-handover");
        cluster.nodeMain(RunOnceNodeMain.class);
        try (Connection connection = cluster.connect("runonce-test"); Statement statement = connection.createStatement()) {
            statement.execute(RunLedger.DDL);
        }
        for (String node : NODES) {
            long skew = (long) (random.nextDouble() * MAX_SKEW_MILLIS);
            cluster.nodeProperty(node, "faults.runonce.skewMillis", Long.toString(skew));
            cluster.nodeProperty(node, "faults.runonce", runOnce ? "on" : "off");
            System.out.println("runonce: node " + node + " timer skew " + skew + " ms");
            cluster.start(node);
        }
        List<String> kinds = List.of("TERM", "KILL", "STEPDOWN", "STOP");
        for (int round = 0; round < ROUNDS; round++) {
            for (String kind : kinds) {
                long offset = (long) ((random.nextDouble() * 2 - 1) * MAX_OFFSET_MILLIS * 1_000);
                handOver(kind, offset);
            }
        }
        String last = awaitRunningLeader(0);
        long end = NodeMain.micros();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(50))
                .until(() -> runs().stream().anyMatch(r -> r.micros() > end + 2 * RunOnceNodeMain.PERIOD_MILLIS * 1000));
        System.out.println("runonce: the last leader is " + last);
        judge();
    }

    /**
     * Finds the leader, waits for a period's start plus {@code offsetMicros}, faults it, and waits until another
     * node has run an instant after the fault; then brings the faulted node back.
     */
    private void handOver(String kind, long offsetMicros) throws Exception {
        String leader = awaitRunningLeader(faults.isEmpty() ? 0 : faults.get(faults.size() - 1).micros());
        long period = RunOnceNodeMain.PERIOD_MILLIS * 1_000;
        long at = (NodeMain.micros() / period + 2) * period + offsetMicros;
        while (NodeMain.micros() < at) {
            LockSupport.parkNanos(Math.max(0, (at - NodeMain.micros()) * 1_000 - 2_000_000)); // the fault's instant
        }
        Fault fault = new Fault(leader, kind, NodeMain.micros());
        faults.add(fault);
        System.out.println("runonce: " + kind + " of " + leader + " at " + (offsetMicros >= 0 ? "+" : "")
                + offsetMicros / 1000 + " ms from a period's start");
        switch (kind) {
            case "TERM", "KILL" -> cluster.signal(leader, kind);
            case "STEPDOWN" -> cluster.send(leader, "stepdown 3000");
            case "STOP" -> cluster.signal(leader, "STOP");
            default -> throw new IllegalArgumentException(kind);
        }
        await().atMost(BOUND).pollInterval(Duration.ofMillis(25)).until(() -> runs().stream()
                .anyMatch(r -> !r.node().equals(leader) && r.micros() > fault.micros()));
        switch (kind) {
            case "TERM", "KILL" -> cluster.start(leader);
            case "STOP" -> {
                cluster.signal(leader, "CONT");
                // the resumed node learns that its term is over
                await().atMost(BOUND).pollInterval(Duration.ofMillis(25)).until(() -> events().stream()
                        .anyMatch(e -> e.node().equals(leader) && e.what().startsWith("lost:") && e.micros() > fault.micros()));
            }
            default -> {
            }
        }
    }

    /** @return the node that holds the lock, believes alone that it leads, and has run an instant since the instant */
    private String awaitRunningLeader(long sinceMicros) {
        return await().atMost(BOUND).pollInterval(Duration.ofMillis(25)).until(() -> {
            List<String> believed = cluster.believedLeaders();
            Optional<String> holder = cluster.lockHolder();
            if (believed.size() != 1 || !holder.equals(Optional.of(believed.get(0)))) {
                return null;
            }
            boolean ran = runs().stream().anyMatch(r -> r.node().equals(holder.get()) && r.micros() > sinceMicros);
            return ran ? holder.get() : null;
        }, leader -> leader != null);
    }

    private void judge() throws IOException, SQLException {
        List<Firing> runs = runs();
        List<Firing> fires = fires();
        List<Term> terms = terms();
        List<Row> ledger = ledger(); // after the runs: a row is written before its run, so no run read lacks its row
        StringBuilder record = new StringBuilder();
        faults.forEach(f -> record.append("\n  fault ").append(f));
        terms.forEach(t -> record.append("\n  term ").append(t));
        String summary = "seed " + System.getProperty("runonce.seed", "(printed above)") + "; record:" + record;

        Map<Long, List<Firing>> runsByInstant = runs.stream().collect(Collectors.groupingBy(Firing::instant, TreeMap::new,
                Collectors.toList()));
        List<String> twice = new ArrayList<>();
        runsByInstant.forEach((instant, list) -> {
            if (list.size() > 1) {
                twice.add(instant + " ran " + list);
            }
        });

        List<String> unrecorded = new ArrayList<>();
        for (Firing run : runs) {
            boolean recorded = ledger.stream().anyMatch(row -> row.instant() == run.instant()
                    && row.node().equals(run.node()) && row.token() == run.token());
            if (!recorded) {
                unrecorded.add(run + " has no ledger row of its node and token");
            }
        }

        long first = runs.stream().mapToLong(Firing::instant).min().orElseThrow();
        long lastFired = fires.stream().mapToLong(Firing::instant).max().orElseThrow();
        TreeSet<Long> taken = new TreeSet<>(runsByInstant.keySet());
        ledger.forEach(row -> taken.add(row.instant()));
        List<String> lost = new ArrayList<>();
        int skipped = 0;
        for (long instant = first; instant < lastFired; instant += RunOnceNodeMain.PERIOD_MILLIS) {
            if (taken.contains(instant)) {
                continue;
            }
            skipped++;
            for (Firing fire : fires) {
                if (fire.instant() != instant) {
                    continue;
                }
                for (Term term : terms) {
                    if (!term.node().equals(fire.node())) {
                        continue;
                    }
                    long from = Math.max(term.begin(), fire.micros());
                    long to = Math.min(term.end(), fire.micros() + RunOnceNodeMain.GRACE_MILLIS * 1_000);
                    if (to - from >= SLACK_MICROS) {
                        lost.add(instant + ": nobody ran it, but " + fire + " came while or within the grace before "
                                + term + " (" + (to - from) / 1000 + " ms of it led inside the grace)");
                    }
                }
            }
        }

        System.out.println("runonce: " + runsByInstant.size() + " instants ran, " + ledger.size() + " ledger rows, "
                + faults.size() + " hand-overs; ran twice: " + twice.size() + ", runs without their row: "
                + unrecorded.size() + ", not run: " + skipped + " (against the policy: " + lost.size() + ")");
        assertThat(twice).as("instants that ran more than once; " + summary).isEmpty();
        assertThat(lost).as("instants missed that the misfire grace should have run; " + summary).isEmpty();
        assertThat(unrecorded).as("runs without their ledger row; " + summary).isEmpty();
        assertThat(faults).as("hand-overs forced").hasSize(ROUNDS * 4);
    }

    private List<Row> ledger() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection connection = cluster.connect("runonce-test");
             PreparedStatement query = connection.prepareStatement("SELECT (extract(epoch FROM instant) * 1000)::bigint,"
                     + " fencing_token, node FROM highlander_scheduled_run WHERE election = ? ORDER BY instant")) {
            query.setString(1, RunOnceNodeMain.ELECTION);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    rows.add(new Row(row.getLong(1), row.getLong(2), row.getString(3)));
                }
            }
        }
        return rows;
    }

    /** @return each node's terms: from its {@code acquired} to its {@code lost}, or to a fault sent to it first */
    private List<Term> terms() throws IOException {
        List<Term> terms = new ArrayList<>();
        List<Histories.Event> events = events();
        for (Histories.Event acquired : events) {
            if (!acquired.what().equals("acquired")) {
                continue;
            }
            long end = Long.MAX_VALUE;
            for (Histories.Event later : events) {
                if (later.node().equals(acquired.node()) && later.what().startsWith("lost:")
                        && later.token() == acquired.token() && later.micros() >= acquired.micros()) {
                    end = Math.min(end, later.micros());
                }
            }
            for (Fault fault : faults) {
                if (fault.node().equals(acquired.node()) && fault.micros() >= acquired.micros()) {
                    end = Math.min(end, fault.micros()); // a killed node writes no lost; a frozen one writes it late
                }
            }
            terms.add(new Term(acquired.node(), acquired.token(), acquired.micros(), end));
        }
        return terms;
    }

    private List<Histories.Event> events() throws IOException {
        List<Histories.Event> events = new ArrayList<>();
        for (String[] f : lines("EVENT", 5)) {
            events.add(new Histories.Event(f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4])));
        }
        return events;
    }

    private List<Firing> runs() throws IOException {
        List<Firing> runs = new ArrayList<>();
        for (String[] f : lines("RAN", 5)) {
            runs.add(new Firing(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])));
        }
        return runs;
    }

    private List<Firing> fires() throws IOException {
        List<Firing> fires = new ArrayList<>();
        for (String[] f : lines("FIRE", 4)) {
            fires.add(new Firing(f[1], Long.parseLong(f[2]), -1, Long.parseLong(f[3])));
        }
        return fires;
    }

    /** @return the complete lines of every node's history that start with the word and have that many fields */
    private List<String[]> lines(String word, int fields) throws IOException {
        List<String[]> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(cluster.directory(), "*.log")) {
            for (Path file : files) {
                String text = Files.readString(file);
                int complete = text.lastIndexOf('\n');
                if (complete < 0) {
                    continue;
                }
                for (String line : text.substring(0, complete).split("\n")) {
                    String[] f = line.split(" ");
                    if (f.length == fields && f[0].equals(word)) {
                        found.add(f);
                    }
                }
            }
        }
        return found;
    }
}
