package io.highlander.example.demo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Something a node did, from a line it printed ({@code <instant> <node> <event> key=value ...}, see
 * {@link io.highlander.example.Report}) or that the demo saw happen to it (exit, a warning in its log).
 *
 * @param micros when, in microseconds since the epoch: nodes and demo share one machine and one clock
 * @param node   the node's id
 * @param kind   what happened
 * @param token  the fencing token it concerns, or -1
 * @param detail the rest: a loss reason, a pid, when the lock was taken, a log line, an exit status
 */
record NodeEvent(long micros, String node, Kind kind, long token, String detail) {

    enum Kind { READY, START, ACQUIRED, TICK, REFUSED, STOP, LOST, WARNING, EXIT }

    private static final Pattern LINE = Pattern.compile("(\\S+) (\\S+) (\\w+)((?: \\w+=\\S*)*)");
    private static final Pattern FIELD = Pattern.compile(" (\\w+)=(\\S*)");

    /** @return the event of a line a node printed, if it is one */
    static Optional<NodeEvent> parse(String line) {
        Matcher matcher = LINE.matcher(line.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Kind kind;
        long micros;
        try {
            kind = Kind.valueOf(matcher.group(3).toUpperCase(java.util.Locale.ROOT));
            micros = micros(Instant.parse(matcher.group(1)));
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher field = FIELD.matcher(matcher.group(4));
        while (field.find()) {
            fields.put(field.group(1), field.group(2));
        }
        long token = -1;
        try {
            token = Long.parseLong(fields.getOrDefault("token", "-1"));
        } catch (NumberFormatException e) {
            // keep -1
        }
        String detail = fields.getOrDefault("reason", fields.getOrDefault("pid", fields.getOrDefault("locked", "")));
        return Optional.of(new NodeEvent(micros, matcher.group(2), kind, token, detail));
    }

    static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    static long now() {
        return micros(Instant.now());
    }
}
