package io.highlander.cdi.internal.sim;

/** A connection attempt the simulated server refused. */
public final class SimSqlException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final transient SqlError error;

    /** @param error what the server said */
    public SimSqlException(SqlError error) {
        super(error.sqlState() + " " + error.message());
        this.error = error;
    }

    /** @return what the server said */
    public SqlError error() {
        return error;
    }
}
