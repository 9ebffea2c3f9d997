package io.highlander.cdi.internal.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The advisory part of PostgreSQL's lock manager, as far as the node session's protocol can tell:
 * <ul>
 *   <li>a session that holds a mode of a tag gets it again at once, counted (re-entrant; each
 *       {@code pg_advisory_unlock} takes one count away);</li>
 *   <li>otherwise a request is granted only if it conflicts neither with another session's granted mode nor with
 *       the mode of anyone already waiting ({@code LockAcquire}'s wait mask): so a shared request queues behind a
 *       waiting exclusive one even while only shared holders hold the tag, and a try of it fails;</li>
 *   <li>waiters are granted in queue order ({@code ProcLockWakeup}): each one that conflicts neither with the
 *       granted modes nor with a waiter still ahead of it;</li>
 *   <li>session-level and transaction-level holds are counted apart (a transaction's end drops only its own).</li>
 * </ul>
 * Not modelled (the protocol never relies on them): deadlock detection (a deadlock here waits until
 * {@code lock_timeout}, so the simulation reports it as lost liveness, never hides it) and a waiter queued ahead
 * of one it would deadlock with.
 */
public final class LockTable {

    /** Who a hold belongs to: the session, or the running transaction. */
    public enum Level { SESSION, TRANSACTION }

    /**
     * One row of {@code pg_locks} for an advisory tag.
     *
     * @param key the tag
     * @param pid the backend
     * @param mode the mode
     * @param granted false for a waiter
     */
    public record Row(AdvisoryKey key, int pid, LockMode mode, boolean granted) { }

    private final Map<AdvisoryKey, Tag> tags = new LinkedHashMap<>();

    /** A request that waits; {@link #withdraw} takes it out of the queue. */
    public final class Waiter {
        private final AdvisoryKey key;
        private final int pid;
        private final LockMode mode;
        private final Level level;
        private final Runnable onGrant;

        private Waiter(AdvisoryKey key, int pid, LockMode mode, Level level, Runnable onGrant) {
            this.key = key;
            this.pid = pid;
            this.mode = mode;
            this.level = level;
            this.onGrant = onGrant;
        }
    }

    private static final class Tag {
        /** pid → counts [mode][level] */
        private final Map<Integer, int[][]> holds = new LinkedHashMap<>();
        private final Deque<Waiter> waiters = new ArrayDeque<>();

        boolean holds(int pid, LockMode mode) {
            int[][] counts = holds.get(pid);
            return counts != null && counts[mode.ordinal()][0] + counts[mode.ordinal()][1] > 0;
        }

        boolean conflictsWithOthers(int pid, LockMode mode) {
            for (Map.Entry<Integer, int[][]> e : holds.entrySet()) {
                if (e.getKey() != pid) {
                    for (LockMode held : LockMode.values()) {
                        int[] c = e.getValue()[held.ordinal()];
                        if (c[0] + c[1] > 0 && mode.conflictsWith(held)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        void grant(int pid, LockMode mode, Level level) {
            holds.computeIfAbsent(pid, p -> new int[2][2])[mode.ordinal()][level.ordinal()]++;
        }
    }

    /** {@code pg_try_advisory_lock*}: @return whether it was granted (never waits) */
    public boolean tryLock(int pid, AdvisoryKey key, LockMode mode, Level level) {
        Tag tag = tags.computeIfAbsent(key, k -> new Tag());
        if (grantable(tag, pid, mode)) {
            tag.grant(pid, mode, level);
            return true;
        }
        dropIfEmpty(key, tag);
        return false;
    }

    /**
     * {@code pg_advisory_lock*}: grants at once or queues.
     *
     * @param onGrant called, inside the call that freed the tag, when a queued request is granted
     * @return null if granted at once, else the queued waiter
     */
    public Waiter lock(int pid, AdvisoryKey key, LockMode mode, Level level, Runnable onGrant) {
        Tag tag = tags.computeIfAbsent(key, k -> new Tag());
        if (grantable(tag, pid, mode)) {
            tag.grant(pid, mode, level);
            return null;
        }
        Waiter waiter = new Waiter(key, pid, mode, level, onGrant);
        tag.waiters.addLast(waiter);
        return waiter;
    }

    private static boolean grantable(Tag tag, int pid, LockMode mode) {
        if (tag.holds(pid, mode)) {
            return true; // re-entrant: PostgreSQL grants a mode the session holds from its local table, no checks
        }
        for (Waiter w : tag.waiters) {
            if (mode.conflictsWith(w.mode)) {
                return false;
            }
        }
        return !tag.conflictsWithOthers(pid, mode);
    }

    /** Takes a waiter out of its queue (cancel, timeout, exit); waiters behind it may be granted. */
    public void withdraw(Waiter waiter) {
        Tag tag = tags.get(waiter.key);
        if (tag != null && tag.waiters.remove(waiter)) {
            wake(waiter.key, tag);
        }
    }

    /** @return whether {@code waiter} still waits */
    public boolean waiting(Waiter waiter) {
        Tag tag = tags.get(waiter.key);
        return tag != null && tag.waiters.contains(waiter);
    }

    /** {@code pg_advisory_unlock*}: takes one session-level count away; @return false if none was held */
    public boolean unlock(int pid, AdvisoryKey key, LockMode mode) {
        Tag tag = tags.get(key);
        int[][] counts = tag == null ? null : tag.holds.get(pid);
        if (counts == null || counts[mode.ordinal()][Level.SESSION.ordinal()] == 0) {
            return false; // PostgreSQL: WARNING "you don't own a lock of type ..."
        }
        counts[mode.ordinal()][Level.SESSION.ordinal()]--;
        settle(key, tag, pid, counts);
        return true;
    }

    /** Drops every hold of {@code level} that {@code pid} has, at once ({@code pg_advisory_unlock_all}, a transaction's end). */
    public void releaseAll(int pid, Level level) {
        for (AdvisoryKey key : new ArrayList<>(tags.keySet())) {
            Tag tag = tags.get(key);
            int[][] counts = tag == null ? null : tag.holds.get(pid);
            if (counts != null) {
                for (int[] byLevel : counts) {
                    byLevel[level.ordinal()] = 0;
                }
                settle(key, tag, pid, counts);
            }
        }
    }

    /** Drops every hold {@code pid} has on {@code key}: one step of a backend's exit. */
    public void releaseTag(int pid, AdvisoryKey key) {
        Tag tag = tags.get(key);
        int[][] counts = tag == null ? null : tag.holds.get(pid);
        if (counts != null) {
            for (int[] byLevel : counts) {
                byLevel[0] = 0;
                byLevel[1] = 0;
            }
            settle(key, tag, pid, counts);
        }
    }

    /** @return the tags {@code pid} holds, in the order its exit frees them (by lock manager partition) */
    public List<AdvisoryKey> heldBy(int pid) {
        List<AdvisoryKey> held = new ArrayList<>();
        for (Map.Entry<AdvisoryKey, Tag> e : tags.entrySet()) {
            if (e.getValue().holds.containsKey(pid)) {
                held.add(e.getKey());
            }
        }
        held.sort(Comparator.comparingInt(AdvisoryKey::partition));
        return held;
    }

    /** @return the granted modes of {@code key}, by pid */
    public Map<Integer, Set<LockMode>> holders(AdvisoryKey key) {
        Map<Integer, Set<LockMode>> holders = new TreeMap<>();
        Tag tag = tags.get(key);
        if (tag != null) {
            tag.holds.forEach((pid, counts) -> {
                for (LockMode mode : LockMode.values()) {
                    if (tag.holds(pid, mode)) {
                        holders.computeIfAbsent(pid, p -> EnumSet.noneOf(LockMode.class)).add(mode);
                    }
                }
            });
        }
        return holders;
    }

    /** @return every row {@code pg_locks} would show for advisory tags: one per pid and granted mode, one per waiter */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        tags.forEach((key, tag) -> {
            tag.holds.forEach((pid, counts) -> {
                for (LockMode mode : LockMode.values()) {
                    if (tag.holds(pid, mode)) {
                        rows.add(new Row(key, pid, mode, true));
                    }
                }
            });
            for (Waiter w : tag.waiters) {
                rows.add(new Row(key, w.pid, w.mode, false));
            }
        });
        return rows;
    }

    /** The server stopped: every hold and every waiter is gone at once, nobody is granted. */
    public void clear() {
        tags.clear();
    }

    private void settle(AdvisoryKey key, Tag tag, int pid, int[][] counts) {
        boolean any = false;
        for (int[] byLevel : counts) {
            any |= byLevel[0] + byLevel[1] > 0;
        }
        if (!any) {
            tag.holds.remove(pid);
        }
        wake(key, tag);
    }

    private void wake(AdvisoryKey key, Tag tag) {
        EnumSet<LockMode> ahead = EnumSet.noneOf(LockMode.class);
        List<Waiter> granted = new ArrayList<>();
        for (Iterator<Waiter> it = tag.waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            boolean blockedByAhead = ahead.stream().anyMatch(w.mode::conflictsWith);
            if (!blockedByAhead && (tag.holds(w.pid, w.mode) || !tag.conflictsWithOthers(w.pid, w.mode))) {
                it.remove();
                tag.grant(w.pid, w.mode, w.level);
                granted.add(w);
            } else {
                ahead.add(w.mode);
            }
        }
        dropIfEmpty(key, tag);
        granted.forEach(w -> w.onGrant.run());
    }

    private void dropIfEmpty(AdvisoryKey key, Tag tag) {
        if (tag.holds.isEmpty() && tag.waiters.isEmpty()) {
            tags.remove(key);
        }
    }
}
