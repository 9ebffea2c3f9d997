package io.highlander.faults;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the node processes wrote, read back and judged. All processes share one machine and so one clock;
 * times are epoch microseconds.
 */
final class Histories {

    /** A node's leadership term (one instance of the singleton) as its ticks show it. */
    record Term(String node, long token, long first, long last) {
    }

    /** Two terms of different nodes that were active at the same time. */
    record Overlap(Term earlier, Term later, long micros) {
        long start() {
            return later.first();
        }
    }

    /** One instance of the singleton, from the start of its {@code @PostConstruct} to the end of its {@code @PreDestroy}. */
    record Life(String node, String instance, long begin, long end) {
        static final long RUNNING = Long.MAX_VALUE;
    }

    /** An event line. */
    record Event(String node, String what, long token, long micros) {
    }

    /**
     * A node's pool as its process reported it ({@link NodeMain#reportPool}): at a leadership event (cause
     * {@code acquired} or {@code lost}) or once a second (cause {@code second}, never during a lookup of its own).
     */
    record PoolSample(String node, long pid, int active, int idle, int total, int awaiting, long micros, String cause) {
        boolean periodic() {
            return cause.equals("second");
        }
    }

    private final List<Term> terms;
    private final List<Event> events;
    private final Map<String, Long> lastTickByNode;
    private final List<Life> lives;
    private final List<PoolSample> poolSamples;

    private Histories(List<Term> terms, List<Event> events, Map<String, Long> lastTickByNode, List<Life> lives,
                      List<PoolSample> poolSamples) {
        this.terms = terms;
        this.events = events;
        this.lastTickByNode = lastTickByNode;
        this.lives = lives;
        this.poolSamples = poolSamples;
    }

    /**
     * Reads the node files incrementally: each call parses only what was appended since the last one, so
     * that polling the history many times a second costs the machine (and the nodes) next to nothing.
     */
    static final class Reader {
        private final Path directory;
        private final Map<Path, Long> offsets = new LinkedHashMap<>();
        private final Map<String, long[]> byTerm = new LinkedHashMap<>(); // "node instance" -> {first, last, token}
        private final Map<String, Long> lastTick = new LinkedHashMap<>();
        private final List<Event> events = new ArrayList<>();
        private final Map<String, long[]> lives = new LinkedHashMap<>(); // "node instance" -> {begin, end}
        private final List<PoolSample> poolSamples = new ArrayList<>();

        Reader(Path directory) {
            this.directory = directory;
        }

        synchronized Histories read() throws IOException {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.log")) {
                for (Path file : files) {
                    readNewLines(file);
                }
            }
            List<Term> terms = new ArrayList<>();
            byTerm.forEach((key, span) -> terms.add(new Term(key.split(" ")[0], span[2], span[0], span[1])));
            terms.sort(Comparator.comparingLong(Term::first));
            List<Event> sortedEvents = new ArrayList<>(events);
            sortedEvents.sort(Comparator.comparingLong(Event::micros));
            List<Life> lifeList = new ArrayList<>();
            lives.forEach((key, span) -> lifeList.add(new Life(key.split(" ")[0], key.split(" ")[1], span[0], span[1])));
            lifeList.sort(Comparator.comparingLong(Life::begin));
            List<PoolSample> samples = new ArrayList<>(poolSamples);
            samples.sort(Comparator.comparingLong(PoolSample::micros));
            return new Histories(List.copyOf(terms), List.copyOf(sortedEvents), Map.copyOf(lastTick), List.copyOf(lifeList),
                    List.copyOf(samples));
        }

        private void readNewLines(Path file) throws IOException {
            long offset = offsets.getOrDefault(file, 0L);
            try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length <= offset) {
                    return;
                }
                byte[] bytes = new byte[(int) (length - offset)];
                in.seek(offset);
                in.readFully(bytes);
                int lastNewline = -1;
                for (int i = bytes.length - 1; i >= 0; i--) {
                    if (bytes[i] == '\n') {
                        lastNewline = i;
                        break;
                    }
                }
                if (lastNewline < 0) {
                    return; // only a half-written line so far
                }
                offsets.put(file, offset + lastNewline + 1);
                for (String line : new String(bytes, 0, lastNewline, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    parse(line);
                }
            }
        }

        private void parse(String line) {
            String[] f = line.split(" ");
            if (f.length == 5 && f[0].equals("TICK")) {
                long token = Long.parseLong(f[2]);
                long at = Long.parseLong(f[3]);
                // a term is one instance of the singleton: two terms stay apart even if they had the same token
                byTerm.merge(f[1] + " " + f[4], new long[] {at, at, token},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1]), a[2]});
                lastTick.merge(f[1], at, Math::max);
            } else if (f.length == 5 && f[0].equals("LIFE")) {
                long[] span = lives.computeIfAbsent(f[1] + " " + f[2], k -> new long[] {Life.RUNNING, Life.RUNNING});
                span[f[3].equals("begin") ? 0 : 1] = Long.parseLong(f[4]);
            } else if (f.length == 5 && f[0].equals("EVENT")) {
                events.add(new Event(f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4])));
            } else if (f.length == 9 && f[0].equals("POOL")) {
                poolSamples.add(new PoolSample(f[1], Long.parseLong(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                        Integer.parseInt(f[5]), Integer.parseInt(f[6]), Long.parseLong(f[7]), f[8]));
            }
        }
    }

    List<Term> terms() {
        return terms;
    }

    List<Event> events() {
        return events;
    }

    /** @return every pair of terms of different nodes whose active intervals intersect */
    List<Overlap> overlaps() {
        List<Overlap> overlaps = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            for (int j = i + 1; j < terms.size(); j++) {
                Term a = terms.get(i);
                Term b = terms.get(j);
                long overlap = Math.min(a.last(), b.last()) - Math.max(a.first(), b.first());
                if (!a.node().equals(b.node()) && overlap >= 0) {
                    overlaps.add(new Overlap(a, b, overlap));
                }
            }
        }
        return overlaps;
    }

    /**
     * The stricter promise: no two nodes' instances exist at once, from the start of {@code @PostConstruct} to
     * the end of {@code @PreDestroy}. Only meaningful for processes that keep running: a killed node never runs
     * {@code @PreDestroy}, and a frozen one runs it on resume.
     *
     * @return every pair of lives of different nodes that intersect, each with the overlap in µs
     */
    List<String> lifeOverlaps() {
        List<String> overlaps = new ArrayList<>();
        for (int i = 0; i < lives.size(); i++) {
            for (int j = i + 1; j < lives.size(); j++) {
                Life a = lives.get(i);
                Life b = lives.get(j);
                long overlap = Math.min(a.end(), b.end()) - Math.max(a.begin(), b.begin());
                if (!a.node().equals(b.node()) && overlap >= 0) {
                    overlaps.add(a + " and " + b + " overlap by " + overlap / 1000 + " ms");
                }
            }
        }
        return overlaps;
    }

    /** Two lives of different nodes that intersect; {@code micros} from the later's begin to the earlier's end. */
    record LifeOverlap(Life earlier, Life later, long micros) {
    }

    /**
     * The overlaps of {@link #lifeOverlaps()} as figures: two instances at once, from the later instance's
     * {@code @PostConstruct} to the end of the other's {@code @PreDestroy} (or the other's end, if it ended first).
     *
     * @return every pair of lives of different nodes that intersect and have both ended
     */
    List<LifeOverlap> instanceOverlaps() {
        List<LifeOverlap> overlaps = new ArrayList<>();
        for (int i = 0; i < lives.size(); i++) {
            for (int j = i + 1; j < lives.size(); j++) {
                Life a = lives.get(i);
                Life b = lives.get(j);
                long overlap = Math.min(a.end(), b.end()) - Math.max(a.begin(), b.begin());
                if (!a.node().equals(b.node()) && overlap >= 0 && overlap < Life.RUNNING / 2) {
                    overlaps.add(new LifeOverlap(a, b, overlap));
                }
            }
        }
        return overlaps;
    }

    List<PoolSample> poolSamples() {
        return poolSamples;
    }

    /**
     * @param lockSessions the lock sessions a node holds at most
     * @return the samples in which a node had more connections out than its lock sessions and one leader lookup
     */
    List<PoolSample> poolOverdraws(int lockSessions) {
        return poolSamples.stream().filter(sample -> sample.active() > lockSessions + 1).toList();
    }

    /**
     * A slot that never comes back: between two leadership events of a node process, the once-a-second samples
     * (which never count a lookup of the node's own) must at least once show no more connections out than its
     * lock sessions. A connection the library leaked keeps every later sample above that, term after term; a
     * connection the library borrows for a moment (at start, to see whether the pool can spare one) shows in one
     * sample at most, so a span needs two samples to count.
     *
     * @param lockSessions the lock sessions a node holds at most
     * @return one line per span between leadership events in which every once-a-second sample (two or more) was above
     */
    List<String> poolLeaks(int lockSessions) {
        Map<Long, List<PoolSample>> byProcess = new java.util.TreeMap<>();
        poolSamples.forEach(sample -> byProcess.computeIfAbsent(sample.pid(), pid -> new ArrayList<>()).add(sample));
        List<String> leaks = new ArrayList<>();
        for (List<PoolSample> samples : byProcess.values()) {
            PoolSample spanStart = samples.get(0);
            int lowest = Integer.MAX_VALUE;
            int periodic = 0;
            for (PoolSample sample : samples) {
                if (!sample.periodic()) {
                    if (periodic >= 2 && lowest > lockSessions) {
                        leaks.add("from " + spanStart + " to " + sample + " never fewer than " + lowest + " out");
                    }
                    spanStart = sample;
                    lowest = Integer.MAX_VALUE;
                    periodic = 0;
                } else {
                    lowest = Math.min(lowest, sample.active());
                    periodic++;
                }
            }
            if (periodic >= 2 && lowest > lockSessions) {
                leaks.add("from " + spanStart + " to the last sample never fewer than " + lowest + " out");
            }
        }
        return leaks;
    }

    /**
     * @param pid a node process
     * @return its latest once-a-second pool sample
     */
    Optional<PoolSample> latestPeriodicPoolSample(long pid) {
        PoolSample latest = null;
        for (PoolSample sample : poolSamples) {
            if (sample.pid() == pid && sample.periodic()) {
                latest = sample;
            }
        }
        return Optional.ofNullable(latest);
    }

    /** @return the terms whose fencing token is not above the previous term's */
    List<Term> tokenRegressions() {
        List<Term> regressions = new ArrayList<>();
        for (int i = 1; i < terms.size(); i++) {
            if (terms.get(i).token() <= terms.get(i - 1).token()) {
                regressions.add(terms.get(i));
            }
        }
        return regressions;
    }

    /** @return the first term that began after the instant */
    Optional<Term> firstTermAfter(long micros) {
        return terms.stream().filter(t -> t.first() > micros).findFirst();
    }

    /**
     * @param aliveSince each live node, with the instant its current process was launched
     * @return the live nodes that believe they lead: a term of the current process was acquired and not lost
     */
    List<String> believedLeaders(Map<String, Long> aliveSince) {
        Map<String, java.util.Set<Long>> open = new java.util.TreeMap<>();
        for (Event event : events) {
            Long since = aliveSince.get(event.node());
            if (since == null || event.micros() < since) {
                continue;
            }
            if (event.what().equals("acquired")) {
                open.computeIfAbsent(event.node(), n -> new java.util.HashSet<>()).add(event.token());
            } else if (event.what().startsWith("lost:")) {
                open.computeIfAbsent(event.node(), n -> new java.util.HashSet<>()).remove(event.token());
            }
        }
        return open.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    /** @return the nodes that ticked after the instant */
    List<String> tickingSince(long micros) {
        return lastTickByNode.entrySet().stream().filter(e -> e.getValue() > micros).map(Map.Entry::getKey).sorted().toList();
    }
}
