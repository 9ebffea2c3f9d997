package io.highlander.cdi.internal.config;

import java.util.List;
import java.util.Set;

/**
 * Every configuration key Highlander reads, in one place: {@link SettingsSource} reads them from here, the warning
 * about a misspelled key compares against {@link #ALL}, and the README's settings table is checked against it.
 */
public final class SettingKeys {

    public static final String NODE_ID = "highlander.node-id";
    public static final String LEASE = "highlander.lease";
    public static final String HEARTBEAT = "highlander.heartbeat";
    public static final String STOP_MARGIN = "highlander.stop-margin";
    public static final String STANDBY_INTERVAL = "highlander.standby.interval";
    public static final String WATCHER_WAIT = "highlander.watcher.wait";
    public static final String TAKEOVER = "highlander.takeover";
    public static final String PLACEMENT = "highlander.placement";
    public static final String RESTART_MAX_FAILURES = "highlander.restart.max-failures";
    public static final String RESTART_WINDOW = "highlander.restart.window";
    public static final String RESTART_BACKOFF = "highlander.restart.backoff";
    public static final String RESTART_COOLDOWN = "highlander.restart.cooldown";
    public static final String NAMESPACE = "highlander.namespace";
    public static final String TOKEN_FLOOR = "highlander.token-floor";
    public static final String DATASOURCE_JNDI = "highlander.datasource.jndi";
    public static final String DATASOURCE_URL = "highlander.datasource.url";
    public static final String DATASOURCE_USER = "highlander.datasource.user";
    public static final String DATASOURCE_PASSWORD = "highlander.datasource.password";
    /** Read only by the build-compatible extension (Quarkus): which of the application's datasources to use. */
    public static final String DATASOURCE_NAME = "highlander.datasource.name";

    /** Retired: read only to say that it no longer does anything. */
    public static final String STANDBY_MODE = "highlander.standby.mode";

    /** Every key that means something, in the order of the settings table. */
    public static final List<String> ALL = List.of(NODE_ID, LEASE, HEARTBEAT, STOP_MARGIN, STANDBY_INTERVAL,
            WATCHER_WAIT, TAKEOVER, PLACEMENT, RESTART_MAX_FAILURES, RESTART_WINDOW, RESTART_BACKOFF,
            RESTART_COOLDOWN, NAMESPACE, TOKEN_FLOOR, DATASOURCE_JNDI, DATASOURCE_URL, DATASOURCE_USER, DATASOURCE_PASSWORD,
            DATASOURCE_NAME);

    /** Keys that once meant something and are now only warned about. */
    public static final Set<String> RETIRED = Set.of(STANDBY_MODE);

    /** What every key of ours starts with; other keys with this prefix are reported as unknown. */
    static final String PREFIX = "highlander.";

    private SettingKeys() {
    }
}
