package io.highlander.cdi.internal.lock;

import java.sql.SQLException;

/**
 * A timeline or transaction id too large for a {@link FencingToken}: the node would rather not lead than hand out
 * a token that might not be above an earlier one.
 */
public final class TokenOutOfRangeException extends SQLException {

    private static final long serialVersionUID = 1L;

    TokenOutOfRangeException(String message) {
        super(message);
    }
}
