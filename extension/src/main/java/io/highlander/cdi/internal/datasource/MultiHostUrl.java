package io.highlander.cdi.internal.datasource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A pgjdbc URL split into one URL per host: {@code jdbc:postgresql://a:5432,[::1]:5433/app?x=y} becomes
 * {@code jdbc:postgresql://a:5432/app?x=y} and {@code jdbc:postgresql://[::1]:5433/app?x=y}, each with the whole of the
 * original's database and parameters, so that {@link HostRace} can connect to every host at once. Only the host list is
 * read; the rest of the URL is copied as it is (never parsed, never logged: it may hold a password).
 *
 * <p>A URL is raced only where it asks for a primary: {@code targetServerType=primary} (or {@code master}, its old
 * name), which the failover documentation tells users to set. Without it ({@code any}, the default) pgjdbc takes the
 * first host in the list that accepts, and a list that names a standby too would, raced, land on the standby whenever
 * it answered first, which Highlander refuses (HL-0308): a deployment that worked would fail now and then. Any other
 * value ({@code preferPrimary}, {@code secondary}, {@code preferSecondary}, {@code readOnly}…) ranks hosts, which a
 * race cannot. So such a URL, and a URL with one host or none, stays with pgjdbc's own order.
 */
final class MultiHostUrl {

    private static final String PREFIX = "jdbc:postgresql://";
    private static final List<String> RACEABLE_TARGETS = List.of("primary", "master");

    private MultiHostUrl() {
    }

    /**
     * @param url a JDBC URL
     * @return one URL per host, in the URL's order; empty if the URL has fewer than two hosts or is not to be raced
     */
    static Optional<List<String>> split(String url) {
        if (url == null || !url.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Optional.empty();
        }
        int start = PREFIX.length();
        int end = authorityEnd(url, start);
        List<String> hosts = hosts(url.substring(start, end));
        if (hosts.size() < 2 || !raceable(url.substring(end))) {
            return Optional.empty();
        }
        String head = url.substring(0, start);
        String tail = url.substring(end);
        List<String> single = new ArrayList<>(hosts.size());
        for (String host : hosts) {
            single.add(head + host + tail);
        }
        return Optional.of(List.copyOf(single));
    }

    /** The authority ends at the database's '/' or, with no database, at the parameters' '?'. */
    private static int authorityEnd(String url, int start) {
        for (int i = start; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?') {
                return i;
            }
        }
        return url.length();
    }

    /** {@code host[:port]} entries, commas between them; a bracketed IPv6 address keeps its colons. */
    private static List<String> hosts(String authority) {
        List<String> hosts = new ArrayList<>();
        int from = 0;
        boolean inBrackets = false;
        for (int i = 0; i <= authority.length(); i++) {
            char c = i < authority.length() ? authority.charAt(i) : ',';
            if (c == '[') {
                inBrackets = true;
            } else if (c == ']') {
                inBrackets = false;
            } else if (c == ',' && !inBrackets) {
                String host = authority.substring(from, i).trim();
                if (!host.isEmpty()) {
                    hosts.add(host);
                }
                from = i + 1;
            }
        }
        return hosts;
    }

    /** Whether the URL's {@code targetServerType} (the last one wins, as in pgjdbc) asks for a primary. */
    private static boolean raceable(String tail) {
        int query = tail.indexOf('?');
        if (query < 0) {
            return false;
        }
        String target = "any";
        for (String parameter : tail.substring(query + 1).split("&")) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).equals("targetServerType")) {
                target = parameter.substring(equals + 1).toLowerCase(Locale.ROOT);
            }
        }
        return RACEABLE_TARGETS.contains(target);
    }
}
