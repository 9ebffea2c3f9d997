package io.highlander.cdi.internal.lock;

import java.util.Optional;

/**
 * One notice on the {@code highlander} channel, as a value: the one place that formats a payload
 * ({@link #payload()}) and the one that parses it ({@link #parse}). Every notice names its namespace, so that two
 * deployments sharing a database (or a rolling change between them) never act on each other's notices; the
 * receiver also learns the sending backend's PID ({@link Heard}), which the node loop checks against the live
 * nodes' liveness locks before a notice may count for strict takeover (docs/design/election.md, rule S3).
 *
 * <p>Payload: {@code hl1 <namespace> <kind> <number> [<number>]}, numbers as unsigned decimals; anything else on
 * the channel is not ours and parses to nothing.
 */
public sealed interface Notice {

    /** The version tag in front of every payload; a payload without it is ignored. */
    String PREFIX = "hl1";

    /** @return the namespace (the locks' first key) the notice belongs to */
    int namespace();

    /** @return the payload to send with {@code pg_notify} */
    String payload();

    /**
     * A node session began: its liveness lock is held (watchers look for their next node again; balanced
     * placement counts again).
     *
     * @param namespace the namespace
     * @param liveness  the random half of its liveness key
     */
    record Joined(int namespace, int liveness) implements Notice {
        @Override
        public String payload() {
            return format(namespace, "joined", u(liveness));
        }
    }

    /**
     * A watcher was granted a node's liveness lock: that node's session is gone, and every lock it held is free.
     *
     * @param namespace the namespace
     * @param liveness  the random half of the ended session's liveness key
     */
    record Gone(int namespace, int liveness) implements Notice {
        @Override
        public String payload() {
            return format(namespace, "gone", u(liveness));
        }
    }

    /**
     * A node's watcher ends its own node's socket read: something from another thread waits on the loop's queue.
     *
     * @param namespace the namespace
     * @param liveness  the random half of the liveness key of the node to wake
     */
    record Wake(int namespace, int liveness) implements Notice {
        @Override
        public String payload() {
            return format(namespace, "wake", u(liveness));
        }
    }

    /**
     * A term began: sent by the statement that took the lock, so that it is delivered when (and only if) the
     * grant commits.
     *
     * @param namespace the namespace
     * @param key       the lock's second key
     * @param token     the term's fencing token
     */
    record Acquired(int namespace, int key, long token) implements Notice {
        @Override
        public String payload() {
            return prefix(namespace) + u(key) + " " + token;
        }

        /**
         * @param namespace the namespace
         * @return the payload up to the key: the takeover statement appends the key and the token it assigns
         *         (it knows the token only inside the statement)
         */
        public static String prefix(int namespace) {
            return format(namespace, "acquired", "");
        }
    }

    /**
     * A term ended and its lock was let go, sent by the statement that unlocked it.
     *
     * @param namespace the namespace
     * @param key       the lock's second key
     * @param token     the ended term's fencing token
     * @param clean     whether its instance was destroyed before the unlock ({@code released}); false
     *                  ({@code abandoned}) for a graceful stop that overran its bound: its instance may still run
     */
    record Released(int namespace, int key, long token, boolean clean) implements Notice {
        @Override
        public String payload() {
            return format(namespace, clean ? "released" : "abandoned", u(key) + " " + token);
        }
    }

    /**
     * A notice as received.
     *
     * @param notice the notice
     * @param pid    the backend PID of the session that sent it ({@code PGNotification.getPID()})
     */
    record Heard(Notice notice, int pid) {
    }

    /**
     * @param payload a payload from the channel
     * @return the notice, or empty if the payload is not one of ours (foreign, malformed or of another version)
     */
    static Optional<Notice> parse(String payload) {
        if (payload == null) {
            return Optional.empty();
        }
        String[] words = payload.split(" ", -1);
        if (words.length < 4 || !PREFIX.equals(words[0])) {
            return Optional.empty();
        }
        try {
            int namespace = Integer.parseUnsignedInt(words[1]);
            int first = Integer.parseUnsignedInt(words[3]);
            return switch (words[2]) {
                case "joined" -> words.length == 4 ? Optional.of(new Joined(namespace, first)) : Optional.empty();
                case "gone" -> words.length == 4 ? Optional.of(new Gone(namespace, first)) : Optional.empty();
                case "wake" -> words.length == 4 ? Optional.of(new Wake(namespace, first)) : Optional.empty();
                case "acquired" -> words.length == 5
                        ? Optional.of(new Acquired(namespace, first, Long.parseLong(words[4]))) : Optional.empty();
                case "released", "abandoned" -> words.length == 5
                        ? Optional.of(new Released(namespace, first, Long.parseLong(words[4]),
                        words[2].equals("released")))
                        : Optional.empty();
                default -> Optional.empty();
            };
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The formatter: the one place that writes a payload. */
    private static String format(int namespace, String kind, String rest) {
        return PREFIX + " " + u(namespace) + " " + kind + " " + rest;
    }

    private static String u(int value) {
        return Integer.toUnsignedString(value);
    }
}
