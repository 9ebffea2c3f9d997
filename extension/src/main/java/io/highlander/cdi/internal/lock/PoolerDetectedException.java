package io.highlander.cdi.internal.lock;

import java.sql.SQLException;

/** The lock connection's backend changed between two statements: a transaction-mode pooler is in between. */
public final class PoolerDetectedException extends SQLException {
    private static final long serialVersionUID = 1L;

    PoolerDetectedException(String message) {
        super(message);
    }
}
