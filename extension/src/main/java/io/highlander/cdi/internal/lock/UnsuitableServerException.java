package io.highlander.cdi.internal.lock;

import java.sql.SQLException;

/** The database behind a connection cannot host Highlander's locks: not PostgreSQL, too old, or a replica. */
public final class UnsuitableServerException extends SQLException {
    private static final long serialVersionUID = 1L;

    UnsuitableServerException(String message) {
        super(message);
    }
}
