package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.Messages;

/**
 * The fencing token of a term, made from two numbers the server hands out: its <b>timeline</b> in the high bits
 * and a fresh <b>transaction id</b> ({@code pg_current_xact_id()}) in the low bits. Pure arithmetic, no SQL.
 *
 * <p>Why both (the argument in full: {@code docs/design/tokens.md}): a transaction id alone strictly increases
 * on one server across crashes (its commit is flushed first), but a promoted asynchronous replica, or a restore to
 * an earlier point, continues from the last id <em>it</em> replayed, which can be below ids already handed out.
 * Both events start a new, higher timeline, and a timeline never changes while a server runs as a primary. So
 * ordering by (timeline, transaction id) is ordering by time, and packing them as
 * {@code timeline << TRANSACTION_BITS | xid} keeps that order in one signed 64-bit number.
 *
 * <p>Limits: {@value #TRANSACTION_BITS} bits for the transaction id (1.7 × 10<sup>13</sup> ids: 55 years at
 * 10,000 transactions a second) and {@value #TIMELINE_BITS} bits for the timeline (524,287 promotions or
 * restores); the sign bit stays clear. Past either limit {@link #compose} throws rather than hand out a token that
 * could be lower than an earlier one. The takeover statement repeats this arithmetic in SQL ({@code Sql.TERM}),
 * because the {@code acquired} notices it sends carry the token; {@link NodeSessionStatements} composes the token
 * here as well and checks that both agree. Every composed token is at least {@code 1 << 44}, above every token of the
 * versions that handed out the bare transaction id, so an upgrade keeps tokens increasing.
 */
public final class FencingToken {

    /** Bits of the transaction id. */
    public static final int TRANSACTION_BITS = 44;
    /** Bits of the timeline, above the transaction id; with the sign bit, 64. */
    public static final int TIMELINE_BITS = 63 - TRANSACTION_BITS;
    /** The highest transaction id that fits. */
    public static final long MAX_TRANSACTION_ID = (1L << TRANSACTION_BITS) - 1;
    /** The highest timeline that fits. */
    public static final long MAX_TIMELINE = (1L << TIMELINE_BITS) - 1;

    private FencingToken() {
    }

    /**
     * @param timeline      the server's timeline, at least 1
     * @param transactionId a transaction id the server assigned, at least 0
     * @return the token
     * @throws TokenOutOfRangeException if either does not fit its bits
     */
    public static long compose(long timeline, long transactionId) throws TokenOutOfRangeException {
        if (timeline < 1 || timeline > MAX_TIMELINE || transactionId < 0 || transactionId > MAX_TRANSACTION_ID) {
            throw new TokenOutOfRangeException(Messages.tokenOutOfRange(timeline, transactionId, MAX_TIMELINE,
                    MAX_TRANSACTION_ID));
        }
        return timeline << TRANSACTION_BITS | transactionId;
    }

    /**
     * @param token a composed token
     * @param floor {@code highlander.token-floor}, 0 or more
     * @return the token handed out: {@code floor + token}
     * @throws TokenOutOfRangeException if the sum does not fit a long
     */
    public static long aboveFloor(long token, long floor) throws TokenOutOfRangeException {
        try {
            return Math.addExact(floor, token);
        } catch (ArithmeticException e) {
            throw new TokenOutOfRangeException(Messages.tokenFloorTooHigh(floor, token));
        }
    }

    /** @return the timeline a token was made on */
    public static long timeline(long token) {
        return token >>> TRANSACTION_BITS;
    }

    /** @return the transaction id a token was made from */
    public static long transactionId(long token) {
        return token & MAX_TRANSACTION_ID;
    }

    /**
     * @param walFileName a WAL file name, e.g. {@code pg_walfile_name(pg_current_wal_lsn())}: 24 hex digits, the
     *                    first eight of which are the timeline
     * @return the timeline
     */
    public static long timelineOf(String walFileName) {
        if (walFileName == null || walFileName.length() != 24) {
            throw new IllegalArgumentException("not a WAL file name: " + walFileName);
        }
        return Long.parseLong(walFileName.substring(0, 8), 16);
    }
}
