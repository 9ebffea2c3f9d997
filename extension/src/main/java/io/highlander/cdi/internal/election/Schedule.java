package io.highlander.cdi.internal.election;

/**
 * When the node loop sends its next statement of its own accord: a heartbeat every h while it holds a term (every
 * L/2 while it holds none, only to keep the session alive), a safety-net try of the wanted locks every standby
 * interval, and, under balanced placement, a count of the live nodes every standby interval. Everything else the
 * loop does is set off by an event. Pure; confined to the node loop; times are the ticker's readings.
 */
final class Schedule {

    private final long heartbeatNanos;
    private final long idleNanos;
    private final long lookNanos;
    private long lastSent;
    private long lastTry;
    private long lastCount;

    /**
     * @param heartbeatNanos h
     * @param idleNanos      the keep-alive of a session that holds no term (L/2)
     * @param lookNanos      the standby interval: the safety net's tries and counts
     * @param now            the ticker's reading at the session's open
     */
    Schedule(long heartbeatNanos, long idleNanos, long lookNanos, long now) {
        this.heartbeatNanos = heartbeatNanos;
        this.idleNanos = idleNanos;
        this.lookNanos = lookNanos;
        this.lastSent = now;
        this.lastTry = now;
        this.lastCount = now;
    }

    /** @param sentAt the send time of a statement that was acknowledged (it keeps the session alive) */
    void sent(long sentAt) {
        lastSent = sentAt;
    }

    /** @param sentAt the send time of a try (or a look) of the wanted locks */
    void tried(long sentAt) {
        lastTry = sentAt;
    }

    /** @param sentAt the send time of a count of the live nodes */
    void counted(long sentAt) {
        lastCount = sentAt;
    }

    /** @return the send time of the last acknowledged statement: every running term's lease counts from it */
    long lastSent() {
        return lastSent;
    }

    /**
     * @param now         the ticker's reading
     * @param holdsATerm  whether a term on this session still holds its lock
     * @return whether a heartbeat is due
     */
    boolean heartbeatDue(long now, boolean holdsATerm) {
        return now - lastSent >= keepAlive(holdsATerm);
    }

    /** @return whether the safety net's try of the wanted locks is due */
    boolean tryDue(long now) {
        return now - lastTry >= lookNanos;
    }

    /**
     * @param now      the ticker's reading
     * @param interval how long since the last try
     * @return whether the last try was at least {@code interval} ago
     */
    boolean triedBefore(long now, long interval) {
        return now - lastTry >= interval;
    }

    /** @return the send time of the last try */
    long lastTry() {
        return lastTry;
    }

    /** @return whether balanced placement's periodic count is due */
    boolean countDue(long now) {
        return now - lastCount >= lookNanos;
    }

    /**
     * @param holdsATerm whether a term on this session still holds its lock
     * @param wanting    whether an election wants a lock
     * @param counting   whether the live nodes are counted (balanced placement)
     * @return the earliest instant at which one of the statements above is due
     */
    long nextDue(boolean holdsATerm, boolean wanting, boolean counting) {
        long due = lastSent + keepAlive(holdsATerm);
        if (wanting) {
            due = NodeLoop.earliest(due, lastTry + lookNanos);
        }
        if (counting) {
            due = NodeLoop.earliest(due, lastCount + lookNanos);
        }
        return due;
    }

    private long keepAlive(boolean holdsATerm) {
        return holdsATerm ? heartbeatNanos : idleNanos;
    }
}
