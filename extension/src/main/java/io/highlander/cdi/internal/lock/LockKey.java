package io.highlander.cdi.internal.lock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The two 32-bit keys of a singleton's advisory lock: {@code pg_advisory_lock(namespace, key)}.
 *
 * <p>{@code key} is the first four bytes, big-endian, of the SHA-256 of the name's UTF-8 bytes: stable
 * across JVMs, versions and languages, so that any tool can compute it. Two names can collide (about one
 * pair in 77,000 among 100 names); {@code DefinitionRules} rejects a deployment where they do.
 *
 * @param namespace the first key, shared by all of Highlander's locks (see {@code highlander.namespace})
 * @param key       the hash of the singleton's name
 */
public record LockKey(int namespace, int key) {

    /**
     * @param namespace the first key
     * @param name      the singleton's name
     * @return the name's lock key
     */
    public static LockKey of(int namespace, String name) {
        return new LockKey(namespace, hash(name));
    }

    /**
     * @param name a singleton name
     * @return the stable 32-bit hash of it
     */
    public static int hash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, 4).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** @return {@code namespace} as {@code pg_locks.classid} shows it (an unsigned oid) */
    long classId() {
        return Integer.toUnsignedLong(namespace);
    }

    /** @return {@code key} as {@code pg_locks.objid} shows it (an unsigned oid) */
    long objectId() {
        return Integer.toUnsignedLong(key);
    }
}
