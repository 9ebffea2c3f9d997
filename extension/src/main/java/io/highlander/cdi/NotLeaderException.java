package io.highlander.cdi;

import jakarta.enterprise.context.ContextNotActiveException;
import java.util.Optional;

/**
 * Thrown by a call to a {@link ClusterSingleton} bean on a node that does not lead it (or whose lease
 * has run out). It never silently creates a second instance. The message names the singleton and,
 * when known, the node that leads.
 */
public class NotLeaderException extends ContextNotActiveException {
    private static final long serialVersionUID = 1L;

    private final String singleton;
    private final String leader;

    /**
     * @param singleton the singleton's name
     * @param leader    the node that leads, or {@code null} if unknown
     * @param message   the full message
     */
    public NotLeaderException(String singleton, String leader, String message) {
        super(message);
        this.singleton = singleton;
        this.leader = leader;
    }

    /** @return the singleton's name */
    public String singleton() {
        return singleton;
    }

    /** @return the node that leads, if this node knew it when the call was made */
    public Optional<String> leader() {
        return Optional.ofNullable(leader);
    }
}
