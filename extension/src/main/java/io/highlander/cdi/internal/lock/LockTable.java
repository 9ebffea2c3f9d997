package io.highlander.cdi.internal.lock;

import java.io.Serializable;

/**
 * PostgreSQL's shared lock table, as its settings size it. Every advisory lock a session holds or waits for takes an
 * entry of it for as long as that lasts, in one table for all sessions of the server: the documentation counts
 * {@code max_locks_per_transaction × (max_connections + max_prepared_transactions)} entries (a server finds room for
 * somewhat more in its spare shared memory, never for fewer). A Highlander cluster holds one lock per singleton, a
 * liveness lock per node session and a watcher's wait per node. Pure arithmetic, for HL-0360.
 *
 * @param maxLocksPerTransaction  {@code max_locks_per_transaction}
 * @param maxConnections          {@code max_connections}
 * @param maxPreparedTransactions {@code max_prepared_transactions}
 */
public record LockTable(int maxLocksPerTransaction, int maxConnections, int maxPreparedTransactions)
        implements Serializable {

    /** @return the entries the documentation promises for the whole server */
    public long capacity() {
        return (long) maxLocksPerTransaction * slots();
    }

    /**
     * The {@code max_locks_per_transaction} to ask for: the present value, which is what the applications had room
     * for, plus room for {@code singletons} locks and their companion locks, which the takeover statement holds
     * beside them until its commit (the fence's barrier, {@link Sql#TAKE_OVER}), and, since every node needs two
     * connections, for at most one liveness lock and one watcher's wait per two connections.
     *
     * @param singletons how many singleton locks a node asked for at once
     * @return the setting whose table also holds those
     */
    public long settingFor(int singletons) {
        long ours = 2L * singletons + maxConnections;
        return maxLocksPerTransaction + (ours + slots() - 1) / slots();
    }

    private long slots() {
        return Math.max(1L, (long) maxConnections + maxPreparedTransactions);
    }
}
