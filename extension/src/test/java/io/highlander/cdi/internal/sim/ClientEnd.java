package io.highlander.cdi.internal.sim;

import java.util.List;

/** What a simulated backend sends to its client, in the order the real server writes it to the socket. */
public interface ClientEnd {

    /** A notification, sent while the session is idle or just before the result of its statement. */
    void notification(Notification notification);

    /** The statement finished: its values (one per step) or its error. */
    void result(List<Object> values, SqlError error);

    /** The session is over: the FATAL message read from the socket, or {@link SqlError#EOF} if none was sent. */
    void terminated(SqlError why);
}
