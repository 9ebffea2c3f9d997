package io.highlander.cdi.internal.sim;

/**
 * An advisory lock's tag as {@code pg_locks} shows it (PG-SEMANTICS §7): a bigint key k is
 * {@code classid = k >>> 32, objid = k & 0xFFFFFFFF, objsubid = 1}; a pair (a, b) of int4 is
 * {@code classid = a, objid = b} (both unsigned) with {@code objsubid = 2}. The two spaces never collide.
 *
 * @param classid the high half (bigint) or the first int4, as an unsigned 32-bit number
 * @param objid the low half (bigint) or the second int4, as an unsigned 32-bit number
 * @param objsubid 1 for a bigint key, 2 for a pair
 */
public record AdvisoryKey(long classid, long objid, int objsubid) {

    /** @return the tag of {@code pg_advisory_lock(bigint)} */
    public static AdvisoryKey ofBigint(long key) {
        return new AdvisoryKey(key >>> 32, key & 0xFFFFFFFFL, 1);
    }

    /** @return the tag of {@code pg_advisory_lock(int4, int4)} */
    public static AdvisoryKey ofPair(int first, int second) {
        return new AdvisoryKey(Integer.toUnsignedLong(first), Integer.toUnsignedLong(second), 2);
    }

    /** @return the lock manager partition the server files this tag under (16 of them; the order a backend's exit frees its locks) */
    int partition() {
        return (int) ((classid * 31 + objid * 17 + objsubid) & 15);
    }

    @Override
    public String toString() {
        return objsubid == 1 ? "bigint " + ((classid << 32) | objid) : "(" + (int) classid + "," + (int) objid + ")";
    }
}
