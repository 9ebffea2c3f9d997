package io.highlander.cdi.internal.datasource;

import java.time.Duration;
import java.util.Properties;

/**
 * The driver's timeouts on the connections Highlander makes itself from {@code highlander.datasource.url}, so that
 * no wait of a connect or of a cancel request is unbounded when a server stops answering instead of refusing (a
 * black-holed host after a failover): by default pgjdbc waits 10 s for a TCP connect and for each step of a cancel
 * request, and for ever for the answer to its start-up message when TLS is off ({@code sslmode=disable}; with TLS
 * preferred, its 5 s {@code sslResponseTimeout} happens to bound the first read). A value the URL sets itself wins
 * (pgjdbc reads the URL's parameters over the properties given with it).
 *
 * <ul>
 *   <li>{@code connectTimeout}: the TCP connect to one host (a host that drops packets).</li>
 *   <li>{@code socketTimeout}: each read while connecting, i.e. the start-up exchange with a host that accepts and
 *       never answers. The hosts of a multi-host URL are connected to at once ({@link HostRace}), so this bounds how
 *       long a silent host's attempt lingers, not how long a connect waits once another host answers. The lock
 *       session sets its own network timeout on every statement after that ({@code LockSession}).</li>
 *   <li>{@code cancelSignalTimeout}: the connect and the read of a cancel request, which a statement past its
 *       deadline gets before its connection is abandoned.</li>
 * </ul>
 * Each is a heartbeat interval's worth of the lease, L/5 rounded up to whole seconds (the driver counts in seconds),
 * at least 1 s: long enough for a TLS handshake over a slow link, short enough that a silent host costs a node a
 * fraction of its lease. {@code loginTimeout} is left alone: it bounds the whole connect, so it can give up on a
 * silent first host before the second is tried. A DataSource of the application's own is never changed: its owner
 * sets these (README, "Requirements on PostgreSQL").
 */
public final class ConnectBounds {

    private final int seconds;

    private ConnectBounds(int seconds) {
        this.seconds = seconds;
    }

    /**
     * @param lease L
     * @return the bounds for a node with that lease
     */
    public static ConnectBounds forLease(Duration lease) {
        long fifth = (lease.toMillis() / 5 + 999) / 1000;
        return new ConnectBounds((int) Math.max(1, Math.min(Integer.MAX_VALUE, fifth)));
    }

    /** @return each bound, in the driver's whole seconds */
    public Duration each() {
        return Duration.ofSeconds(seconds);
    }

    /**
     * @param properties the connection's properties (user, password), to which the bounds are added
     * @return {@code properties}
     */
    Properties addTo(Properties properties) {
        String value = Integer.toString(seconds);
        properties.setProperty("connectTimeout", value);
        properties.setProperty("socketTimeout", value);
        properties.setProperty("cancelSignalTimeout", value);
        return properties;
    }
}
