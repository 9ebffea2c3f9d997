package io.highlander.cdi.failover;

import io.highlander.cdi.testing.History;
import java.util.List;

/** Reads the fencing tokens of a recorded history. */
final class Tokens {

    private Tokens() {
    }

    /** @return the tokens of the terms begun, in the order the nodes recorded them */
    static List<Long> of(History history) {
        return history.entries("acquired").stream().map(History.Entry::token).toList();
    }

    /** @return the tokens of the terms begun after the first {@code before} terms */
    static List<Long> after(History history, int before) {
        List<Long> all = of(history);
        return all.subList(Math.min(before, all.size()), all.size());
    }

    /** @return the highest token among the first {@code count} terms */
    static long highestOfFirst(History history, int count) {
        return of(history).subList(0, count).stream().mapToLong(Long::longValue).max().orElse(-1);
    }
}
