package io.highlander.cdi.internal.config;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.HighlanderSettings.StandbyMode;
import io.highlander.cdi.internal.Messages;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link HighlanderSettings} from the first source that has each key: MicroProfile Config (when it
 * is on the class path; reached by reflection, so it is never a dependency), system properties,
 * environment variables ({@code highlander.node-id} → {@code HIGHLANDER_NODE_ID}). Every problem is
 * reported at once.
 */
public final class SettingsSource {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private final Function<String, Optional<String>> lookup;
    private final String description;

    private SettingsSource(Function<String, Optional<String>> lookup, String description) {
        this.lookup = lookup;
        this.description = description;
    }

    /**
     * @param classLoader the application's class loader, where MicroProfile Config may be found
     * @return the source of this application's settings
     */
    public static SettingsSource forApplication(ClassLoader classLoader) {
        Function<String, Optional<String>> microProfile = microProfileConfig(classLoader);
        Function<String, Optional<String>> properties = key -> Optional.ofNullable(System.getProperty(key));
        Function<String, Optional<String>> environment = key -> Optional.ofNullable(System.getenv(environmentName(key)));
        String description = microProfile == null
                ? "system properties, environment"
                : "MicroProfile Config, system properties, environment";
        return new SettingsSource(key -> {
            Optional<String> value = microProfile == null ? Optional.empty() : microProfile.apply(key);
            return value.or(() -> properties.apply(key)).or(() -> environment.apply(key)).filter(v -> !v.isBlank());
        }, description);
    }

    /**
     * A source backed by a function, for tests.
     *
     * @param lookup values by key
     * @return the source
     */
    public static SettingsSource of(Function<String, Optional<String>> lookup) {
        return new SettingsSource(lookup, "test");
    }

    /**
     * Reads one key that is not part of {@link HighlanderSettings}, such as {@code highlander.datasource.name}
     * (which only the build-compatible extension uses).
     *
     * @param key the key
     * @return its value, if set and not blank
     */
    public Optional<String> value(String key) {
        return lookup.apply(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    /** @return where the settings come from, for messages */
    public String description() {
        return description;
    }

    /**
     * @return the settings
     * @throws IllegalArgumentException listing every problem, each with its fix
     */
    public HighlanderSettings load() {
        List<String> problems = new ArrayList<>();
        HighlanderSettings.Builder builder = HighlanderSettings.builder();
        lookup.apply("highlander.node-id").ifPresent(builder::nodeId);
        Optional<Duration> lease = duration("highlander.lease", problems);
        lease.ifPresent(builder::lease);
        // An unreadable lease leaves the builder with the default one, which the user never chose: then check
        // only what is wrong whatever the lease (the load fails anyway), and compare nothing with it.
        boolean leaseUnreadable = lease.isEmpty() && lookup.apply("highlander.lease").isPresent();
        Optional<Duration> heartbeat = duration("highlander.heartbeat", problems);
        Optional<Duration> stopMargin = duration("highlander.stop-margin", problems);
        if (leaseUnreadable) {
            heartbeat.filter(SettingsSource::notPositive)
                    .ifPresent(value -> problems.add(Messages.notPositive("highlander.heartbeat", value)));
            stopMargin.filter(SettingsSource::notPositive)
                    .ifPresent(value -> problems.add(Messages.notPositive("highlander.stop-margin", value)));
        } else {
            heartbeat.ifPresent(builder::heartbeat);
            stopMargin.ifPresent(builder::stopMargin);
        }
        duration("highlander.standby.interval", problems).ifPresent(builder::standbyInterval);
        duration("highlander.watcher.wait", problems).ifPresent(builder::watcherWait);
        lookup.apply("highlander.standby.mode").ifPresent(mode -> {
            try {
                StandbyMode standbyMode = StandbyMode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
                if (!leaseUnreadable) { // polling compares its interval with the lease
                    builder.standbyMode(standbyMode);
                }
            } catch (IllegalArgumentException e) {
                problems.add(Messages.invalidStandbyMode(mode));
            }
        });
        lookup.apply("highlander.takeover").ifPresent(value -> {
            try {
                builder.takeover(HighlanderSettings.Takeover.valueOf(value.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problems.add(Messages.invalidTakeover(value));
            }
        });
        lookup.apply("highlander.placement").ifPresent(value -> {
            try {
                builder.placement(HighlanderSettings.Placement.valueOf(
                        value.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                problems.add(Messages.invalidPlacement(value));
            }
        });
        lookup.apply("highlander.namespace").ifPresent(value -> {
            try {
                builder.namespace(Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                problems.add(Messages.unparsableInteger("highlander.namespace", value));
            }
        });
        lookup.apply("highlander.token-floor").ifPresent(value -> {
            try {
                builder.tokenFloor(Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                problems.add(Messages.invalidTokenFloor(value));
            }
        });
        Optional<String> maxFailures = lookup.apply("highlander.restart.max-failures");
        Optional<Duration> window = duration("highlander.restart.window", problems);
        Optional<Duration> backoff = duration("highlander.restart.backoff", problems);
        Optional<Duration> cooldown = duration("highlander.restart.cooldown", problems);
        if (maxFailures.isPresent() || window.isPresent() || backoff.isPresent() || cooldown.isPresent()) {
            HighlanderSettings defaults = HighlanderSettings.builder().build();
            int failures = defaults.maxFailures();
            try {
                failures = maxFailures.map(String::trim).map(Integer::parseInt).orElse(failures);
            } catch (NumberFormatException e) {
                problems.add(Messages.unparsableInteger("highlander.restart.max-failures", maxFailures.get()));
            }
            builder.restartPolicy(failures, window.orElse(defaults.failureWindow()),
                    backoff.orElse(defaults.restartBackoff()), cooldown.orElse(defaults.failureCooldown()));
        }
        lookup.apply("highlander.datasource.jndi").ifPresent(builder::dataSourceJndiName);
        lookup.apply("highlander.datasource.url").ifPresent(url -> builder.jdbcUrl(url,
                lookup.apply("highlander.datasource.user").orElse(null),
                lookup.apply("highlander.datasource.password").orElse(null)));
        try {
            HighlanderSettings settings = builder.build();
            if (problems.isEmpty()) {
                return settings;
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        throw new IllegalArgumentException(Messages.invalidSettings(description, String.join(System.lineSeparator(), problems)));
    }

    /**
     * Parses {@code 1500ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT10S}).
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException if it is neither
     */
    public static Duration parseDuration(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Matcher matcher = SHORT_DURATION.matcher(trimmed);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try {
            return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static boolean notPositive(Duration value) {
        return value.isNegative() || value.isZero();
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private Optional<Duration> duration(String key, List<String> problems) {
        return lookup.apply(key).flatMap(value -> {
            try {
                return Optional.of(parseDuration(value));
            } catch (IllegalArgumentException | ArithmeticException e) {
                problems.add(Messages.unparsableDuration(key, value));
                return Optional.empty();
            }
        });
    }

    private static Function<String, Optional<String>> microProfileConfig(ClassLoader classLoader) {
        try {
            Class<?> provider = Class.forName("org.eclipse.microprofile.config.ConfigProvider", true, classLoader);
            Object config = provider.getMethod("getConfig", ClassLoader.class).invoke(null, classLoader);
            Method getOptionalValue = Class.forName("org.eclipse.microprofile.config.Config", true, classLoader)
                    .getMethod("getOptionalValue", String.class, Class.class);
            return key -> {
                try {
                    return ((Optional<?>) getOptionalValue.invoke(config, key, String.class)).map(String::valueOf);
                } catch (ReflectiveOperationException e) {
                    return Optional.empty();
                }
            };
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }
}
