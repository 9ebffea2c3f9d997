package io.highlander.cdi.internal.lock;

import java.util.Optional;

/**
 * The session that holds an advisory lock, as {@code pg_locks} and {@code pg_stat_activity} show it to any
 * role: its backend pid and the {@code application_name} it chose. A Highlander session names itself
 * {@code highlander:<node id>}; anything else is a session of some other program that happens to hold our key.
 *
 * @param pid             the holder's backend process id
 * @param applicationName what the holder calls itself; empty if not set or not visible to this role
 */
public record LockHolder(int pid, String applicationName) {

    /** @return the Highlander node that holds the lock, if the holder is a Highlander lock session */
    public Optional<String> nodeId() {
        return applicationName != null && applicationName.startsWith(LockSession.APPLICATION_NAME_PREFIX)
                ? Optional.of(applicationName.substring(LockSession.APPLICATION_NAME_PREFIX.length()))
                : Optional.empty();
    }

    /** @return whether a session that is not a Highlander lock session holds the lock */
    public boolean foreign() {
        return nodeId().isEmpty();
    }

    @Override
    public String toString() {
        return "backend pid " + pid + (applicationName == null || applicationName.isEmpty() ? ""
                : " (application_name '" + applicationName + "')");
    }
}
