package io.highlander.cdi.failover;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.datasource.ConnectBounds;
import java.time.Duration;

/**
 * How long after the new primary accepts connections a new term may take when the old primary's host went silent,
 * from a node's settings and the bounds the library sets on a DataSource it builds from a URL (docs/design/tokens.md
 * §5 argues each term). The library's raced connect asks every host at once and asks a host that refused (the replica
 * before its promotion) again every 100 ms while the silent host is waited on, so no reconnect waits on the silent host
 * once the new primary answers. The worst node at the promotion is then in one of two places:
 * <ul>
 *   <li>in a statement on a session to the silent host, sent just before: it runs to its deadline (at most L after
 *       the last acknowledged statement), then its cancel request waits on the silent host (connect and read, each
 *       at most {@code cancelSignalTimeout}; pgjdbc holds the statement's thread until the cancel is done), then the
 *       connection is aborted, the first back-off (50 ms) passes, and the reconnect reaches the new primary at
 *       once;</li>
 *   <li>or reconnecting: in the longest back-off (1 s) after a failed connect, or in a connect, which asks the new
 *       primary within 100 ms.</li>
 * </ul>
 * The first is the longer: L + 2 × cancel + 50 ms, {@code socketTimeout} less than before the race. On top, the open
 * of the session and the takeover: six round trips on the new primary, which a loaded machine can stretch to a good
 * part of a second; the bound gives them one second.
 */
final class BlackHoleBound {

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration OPEN_AND_TAKE_OVER = Duration.ofSeconds(1);
    /** NodeLoop's longest reconnect back-off; a raced connect asks a refusing host again sooner (100 ms). */
    private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(1);

    private BlackHoleBound() {
    }

    /**
     * After a promotion that came once every node's session to the silent host had ended: a node is reconnecting, in
     * the longest back-off (1 s) or in a connect that asks the new primary within 100 ms; then the open and the
     * takeover (one second, as above).
     *
     * @return the longest a reconnecting node, on a URL the library builds, may take to a new term
     */
    static Duration reconnecting() {
        return LONGEST_BACKOFF.plus(OPEN_AND_TAKE_OVER);
    }

    /** @return the longest a node with these settings, on a URL the library builds, may take to a new term */
    static Duration of(HighlanderSettings settings) {
        Duration each = ConnectBounds.forLease(settings.lease()).each();
        return settings.lease().plus(each.multipliedBy(2)).plus(FIRST_BACKOFF).plus(OPEN_AND_TAKE_OVER);
    }
}
