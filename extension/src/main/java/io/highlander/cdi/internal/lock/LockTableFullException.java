package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.Messages;
import java.sql.SQLException;

/**
 * PostgreSQL's shared lock table had no room for a lock a session of ours asked for (SQLState 53200, {@code out of
 * shared memory}, with the server's hint to raise {@code max_locks_per_transaction}). Its message is HL-0360: the
 * table's arithmetic with this server's settings and the value to raise it to.
 */
public final class LockTableFullException extends SQLException {
    private static final long serialVersionUID = 1L;

    private final String owner;
    private final LockTable table;

    LockTableFullException(String owner, int asked, LockTable table, SQLException cause) {
        super(Messages.lockTableFull(owner, asked, table), cause.getSQLState(), cause);
        this.owner = owner;
        this.table = table;
    }

    /**
     * @param asked how many locks the failed statement asked for at once
     * @return the same failure, told with that count
     */
    LockTableFullException asking(int asked) {
        LockTableFullException told = new LockTableFullException(owner, asked, table, (SQLException) getCause());
        told.setStackTrace(getStackTrace());
        return told;
    }
}
