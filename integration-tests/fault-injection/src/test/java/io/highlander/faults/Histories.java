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

    /** A node's leadership term as its ticks show it. */
    record Term(String node, long token, long first, long last) {
    }

    /** Two terms of different nodes that were active at the same time. */
    record Overlap(Term earlier, Term later, long micros) {
        long start() {
            return later.first();
        }
    }

    /** An event line. */
    record Event(String node, String what, long token, long micros) {
    }

    private final List<Term> terms;
    private final List<Event> events;
    private final Map<String, Long> lastTickByNode;

    private Histories(List<Term> terms, List<Event> events, Map<String, Long> lastTickByNode) {
        this.terms = terms;
        this.events = events;
        this.lastTickByNode = lastTickByNode;
    }

    /**
     * Reads the node files incrementally: each call parses only what was appended since the last one, so
     * that polling the history many times a second costs the machine (and the nodes) next to nothing.
     */
    static final class Reader {
        private final Path directory;
        private final Map<Path, Long> offsets = new LinkedHashMap<>();
        private final Map<String, long[]> byTerm = new LinkedHashMap<>();
        private final Map<String, Long> lastTick = new LinkedHashMap<>();
        private final List<Event> events = new ArrayList<>();

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
            byTerm.forEach((key, span) -> {
                String[] k = key.split(" ");
                terms.add(new Term(k[0], Long.parseLong(k[1]), span[0], span[1]));
            });
            terms.sort(Comparator.comparingLong(Term::first));
            List<Event> sortedEvents = new ArrayList<>(events);
            sortedEvents.sort(Comparator.comparingLong(Event::micros));
            return new Histories(List.copyOf(terms), List.copyOf(sortedEvents), Map.copyOf(lastTick));
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
            if (f.length == 4 && f[0].equals("TICK")) {
                long token = Long.parseLong(f[2]);
                long at = Long.parseLong(f[3]);
                byTerm.merge(f[1] + " " + token, new long[] {at, at},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                lastTick.merge(f[1], at, Math::max);
            } else if (f.length == 5 && f[0].equals("EVENT")) {
                events.add(new Event(f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4])));
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

    /** @return the nodes that ticked after the instant */
    List<String> tickingSince(long micros) {
        return lastTickByNode.entrySet().stream().filter(e -> e.getValue() > micros).map(Map.Entry::getKey).sorted().toList();
    }
}
