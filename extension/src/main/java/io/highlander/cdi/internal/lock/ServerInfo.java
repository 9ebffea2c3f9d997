package io.highlander.cdi.internal.lock;

/**
 * What a lock connection reached.
 *
 * @param versionNumber {@code server_version_num}, e.g. 140015
 * @param database      {@code host:port/database} as the server reports it
 * @param backendPid    the connection's backend process id
 */
public record ServerInfo(int versionNumber, String database, int backendPid) {
}
