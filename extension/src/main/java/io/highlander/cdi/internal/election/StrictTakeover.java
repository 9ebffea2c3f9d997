package io.highlander.cdi.internal.election;

import io.highlander.cdi.internal.lock.Notice;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code highlander.takeover=strict}: whether a lock this node just took was let go cleanly by its last holder,
 * so that its instance may start at once, or must wait out that holder's lease (L + m). Rules S1 to S4 of
 * docs/design/election.md. Pure; confined to the node loop.
 *
 * <p>A notice counts only from a backend that held a live node's liveness lock in our namespace when last
 * counted ({@link #attribute}); the loop re-counts, coalesced, when a notice comes from a PID it does not know.
 */
final class StrictTakeover {

    private final long holdNanos;
    /** Per key, the highest token of a term heard to begin on this session. */
    private final Map<Integer, Long> begun = new HashMap<>();
    /** Per key, the last term end heard on this session. */
    private final Map<Integer, Notice.Released> ended = new HashMap<>();

    /** @param holdNanos L + m: how long a term waits before it starts after an end not seen to be clean */
    StrictTakeover(long holdNanos) {
        this.holdNanos = holdNanos;
    }

    /** A new node session: notices may have been missed while there was none, so nothing heard before counts. */
    void reset() {
        begun.clear();
        ended.clear();
    }

    /**
     * A notice from a live node of our namespace (attributed by the caller), heard on the current node session.
     *
     * @param notice the notice
     */
    void heard(Notice notice) {
        if (notice instanceof Notice.Acquired acquired) {
            begun.merge(acquired.key(), acquired.token(), Math::max);
        } else if (notice instanceof Notice.Released released) {
            ended.put(released.key(), released);
        }
    }

    /**
     * A notice whose sender is not a live node of ours: it cannot vouch for a clean end, but a term it announces
     * may run, so it is counted against a clean end.
     *
     * @param notice the notice
     */
    void heardUnattributed(Notice notice) {
        if (notice instanceof Notice.Acquired acquired) {
            begun.merge(acquired.key(), acquired.token(), Math::max);
        } else if (notice instanceof Notice.Released released) {
            ended.remove(released.key());
        }
    }

    /**
     * @param key a key this node just took
     * @return how long its term waits before the instance starts: 0 only if the last term end heard on this
     *         session was clean and no later term was heard to begin (rule S2: the tokens order what the
     *         notification queue may deliver out of order, an unlock taking effect before its commit)
     */
    long holdBeforeStart(int key) {
        Notice.Released last = ended.get(key);
        if (last == null || !last.clean()) {
            return holdNanos;
        }
        Long newest = begun.get(key);
        return newest == null || newest <= last.token() ? 0 : holdNanos;
    }
}
