package io.highlander.cdi.failover;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.datasource.ConnectBounds;
import java.time.Duration;

/**
 * How long after a promotion a new term may take when the old primary's host went silent, from a node's settings
 * and the bounds the library sets on a DataSource it builds from a URL (docs/design/tokens.md §5 argues each term).
 * The worst node at the promotion is in one of two places:
 * <ul>
 *   <li>in a statement on a session to the silent host, sent just before: it runs to its deadline (at most L after
 *       the last acknowledged statement), then its cancel request waits on the silent host (connect and read, each
 *       at most {@code cancelSignalTimeout}), then the connection is aborted; the reconnect tries the silent host
 *       first ({@code socketTimeout}, or {@code connectTimeout} where packets are dropped) and then the new
 *       primary;</li>
 *   <li>or reconnecting: an attempt that had passed the replica before it was promoted, the longest back-off
 *       (1 s), and one more attempt through the silent host.</li>
 * </ul>
 * The first is the longer: L + 2 × cancel + connect, plus the back-off after a first failure (50 ms). On top, the
 * open of the session and the takeover: six round trips on the new primary, which a loaded machine can stretch to
 * a good part of a second; the bound gives them one second.
 */
final class BlackHoleBound {

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration OPEN_AND_TAKE_OVER = Duration.ofSeconds(1);

    private BlackHoleBound() {
    }

    /** @return the longest a node with these settings, on a URL the library builds, may take to a new term */
    static Duration of(HighlanderSettings settings) {
        Duration each = ConnectBounds.forLease(settings.lease()).each();
        return settings.lease().plus(each.multipliedBy(2)).plus(FIRST_BACKOFF).plus(each).plus(OPEN_AND_TAKE_OVER);
    }
}
