package io.highlander.cdi.internal.lock;

import io.highlander.cdi.internal.Messages;
import java.sql.SQLException;

/**
 * A watcher's connection reached another server than its node session's (SQLState 08004): two servers take
 * connections as a primary at once, a failover under way or a split database. Its message is HL-0351; the watcher's
 * loop says it at WARNING, once per change, since a split database is what an operator must hear of.
 */
public final class OtherServerException extends SQLException {
    private static final long serialVersionUID = 1L;

    public OtherServerException(String owner, ClusterIdentity watcher, ClusterIdentity node) {
        super(Messages.watcherOnOtherServer(owner, watcher, node), "08004");
    }
}
