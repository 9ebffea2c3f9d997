package io.highlander.cdi.internal.lock;

import java.sql.SQLException;

/**
 * Where a node's two connections come from: PostgreSQL through the DataSource in production
 * ({@link PostgresSessions}), an in-memory server in a simulation.
 */
public interface Sessions {

    /**
     * Opens a node session: one connection with Highlander's session settings, its lease L.
     *
     * @param label whose connection it is, for messages
     * @return the session
     * @throws SQLException if it cannot be opened
     */
    NodeStatements openNode(String label) throws SQLException;

    /**
     * Opens a watcher's connection, whose wait bound is {@code highlander.watcher.wait}.
     *
     * @param label whose connection it is, for messages
     * @return the session
     * @throws SQLException if it cannot be opened
     */
    WatcherStatements openWatcher(String label) throws SQLException;

    /** @return the connections' source, for messages */
    String description();
}
