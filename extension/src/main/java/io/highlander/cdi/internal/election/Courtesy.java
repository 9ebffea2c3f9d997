package io.highlander.cdi.internal.election;

import java.util.HashMap;
import java.util.Map;

/**
 * The courtesy after a lost node session (rule C1 to C3 of docs/design/election.md): the locks this node held
 * when its session ended are left to the other nodes for a moment, since this node learns of the end as fast as
 * a standby's watcher does and, trying at once, would win its own locks back first. The moment ends at its time,
 * or as soon as another node's term ends (a {@code released}, or a {@code gone} of any session but this node's
 * own ended one): the others had their turn, and waiting longer only slows the next takeover. Pure; confined to
 * the node loop; time comes from the caller.
 */
final class Courtesy {

    private final long courtesyNanos;
    /** Per key this node held when its session ended: the instant from which it may try it again. */
    private final Map<Integer, Long> leftUntil = new HashMap<>();
    /** The liveness half of this node's last ended session: news of its end is not another node's term ending. */
    private int ownEnded;

    /** @param courtesyNanos how long a lost key is left to the others at most */
    Courtesy(long courtesyNanos) {
        this.courtesyNanos = courtesyNanos;
    }

    /**
     * This node's session ended while it held {@code key}.
     *
     * @param key      a key it held
     * @param liveness the ended session's liveness half
     * @param now      the ticker's reading
     */
    void lost(int key, int liveness, long now) {
        leftUntil.put(key, now + courtesyNanos);
        ownEnded = liveness;
    }

    /** @param liveness the liveness half of the ended session, even if it held nothing */
    void sessionEnded(int liveness) {
        ownEnded = liveness;
    }

    /** Another node let a lock go ({@code released}): the others had their turn. */
    void othersTermEnded() {
        leftUntil.clear();
    }

    /**
     * A node session is gone ({@code gone}).
     *
     * @param liveness its liveness half
     */
    void gone(int liveness) {
        if (liveness != ownEnded) {
            leftUntil.clear(); // another node's session: a term of someone else ended
        }
    }

    /**
     * Drops the keys whose time is up.
     *
     * @param now the ticker's reading
     * @return whether any key came back to this node (try it now)
     */
    boolean expire(long now) {
        return leftUntil.values().removeIf(until -> now - until >= 0);
    }

    /**
     * @param key a key this node wants
     * @return whether it still leaves it to the others (call {@link #expire} first)
     */
    boolean leftToOthers(int key) {
        return leftUntil.containsKey(key);
    }

    /**
     * @param due the earliest instant the loop must look again so far
     * @return that, or the end of a courtesy if earlier
     */
    long earliest(long due) {
        for (long until : leftUntil.values()) {
            due = NodeLoop.earliest(due, until);
        }
        return due;
    }
}
