package io.highlander.benchmarks;

/**
 * One line a node printed: {@code READY}, {@code UP}, {@code DOWN}, {@code GONE}, {@code LOST}, {@code HOOK}, {@code EXIT} or {@code Q}
 * (a statement: {@code name} is its tag, {@code micros}..{@code endMicros} its round trip, {@code detail} the
 * connection that sent it, {@code c<n>}, or null). An {@code UP}, {@code DOWN} or {@code GONE} of a JVM that hosts
 * several nodes ({@link LargeNodeMain}) has the node's id as {@code detail}.
 */
record Event(NodeProcess node, String kind, String name, long micros, long endMicros, boolean ok, String detail) {

    static Event parse(NodeProcess node, String line) {
        String[] part = line.trim().split(" ");
        try {
            switch (part[0]) {
                case "UP", "DOWN", "GONE":
                    // a fourth field names the node where several share a JVM (LargeNodeMain)
                    return new Event(node, part[0], part[1], Long.parseLong(part[2]), Long.parseLong(part[2]), true,
                            part.length > 3 ? part[3] : null);
                case "READY":
                    return new Event(node, part[0], part[1], Long.parseLong(part[2]), Long.parseLong(part[2]), true, null);
                case "LOST":
                    return new Event(node, "LOST", part[1], Long.parseLong(part[3]), Long.parseLong(part[3]), true, part[2]);
                case "EXIT", "HOOK":
                    return new Event(node, part[0], "", Long.parseLong(part[1]), Long.parseLong(part[1]), true, null);
                case "Q":
                    return new Event(node, "Q", part[1], Long.parseLong(part[2]), Long.parseLong(part[3]),
                            part[4].equals("ok"), part.length > 5 ? part[5] : null);
                default:
                    return null;
            }
        } catch (RuntimeException e) {
            return null; // not one of ours (a log line)
        }
    }

    boolean is(String kind, String name) {
        return this.kind.equals(kind) && (name == null || this.name.equals(name));
    }
}
