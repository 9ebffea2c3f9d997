package io.highlander.cdi.internal.datasource;

import java.sql.Connection;
import java.sql.SQLException;

/** Where lock connections come from: a DataSource (CDI bean or JNDI) or a JDBC URL. */
public interface ConnectionSource {

    /**
     * @return a new connection; the caller closes it
     * @throws SQLException if none can be had
     */
    Connection connect() throws SQLException;

    /** @return what this source is, for messages: a JNDI name, a bean, or a URL without its password */
    String description();

    /** @return whether connections come from a pool the application shares (a DataSource) */
    default boolean pooled() {
        return true;
    }
}
