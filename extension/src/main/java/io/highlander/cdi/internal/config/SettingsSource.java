package io.highlander.cdi.internal.config;

import static io.highlander.cdi.internal.config.SettingKeys.*;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.Messages;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link HighlanderSettings} from the first source that has each key: MicroProfile Config (when it
 * is on the class path; reached by reflection, so it is never a dependency), system properties,
 * environment variables ({@code highlander.node-id} → {@code HIGHLANDER_NODE_ID}). Every problem is
 * reported at once. A {@code highlander.*} key that is not one of {@link SettingKeys#ALL} (in MicroProfile Config
 * or the system properties) is warned about with the nearest known key, since a misspelled key is otherwise ignored
 * without a word. Environment variables are not checked that way: their names cannot be mapped back to one key, and
 * the environment carries variables of other programs.
 */
public final class SettingsSource {

    private static final System.Logger LOG = System.getLogger(SettingsSource.class.getName());
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private final Function<String, Optional<String>> lookup;
    private final Supplier<Set<String>> names;
    private final String description;

    private SettingsSource(Function<String, Optional<String>> lookup, Supplier<Set<String>> names, String description) {
        this.lookup = lookup;
        this.names = names;
        this.description = description;
    }

    /**
     * @param classLoader the application's class loader, where MicroProfile Config may be found
     * @return the source of this application's settings
     */
    public static SettingsSource forApplication(ClassLoader classLoader) {
        Object config = microProfileConfig(classLoader);
        Function<String, Optional<String>> microProfile = config == null ? null : microProfileLookup(config, classLoader);
        Function<String, Optional<String>> properties = key -> Optional.ofNullable(System.getProperty(key));
        Function<String, Optional<String>> environment = key -> Optional.ofNullable(System.getenv(environmentName(key)));
        String description = microProfile == null
                ? "system properties, environment"
                : "MicroProfile Config, system properties, environment";
        return new SettingsSource(key -> {
            Optional<String> value = microProfile == null ? Optional.empty() : microProfile.apply(key);
            return value.or(() -> properties.apply(key)).or(() -> environment.apply(key)).filter(v -> !v.isBlank());
        }, () -> {
            Set<String> names = new TreeSet<>(System.getProperties().stringPropertyNames());
            if (config != null) {
                names.addAll(microProfileNames(config, classLoader));
            }
            return names;
        }, description);
    }

    /**
     * A source backed by a function, for tests.
     *
     * @param lookup values by key
     * @return the source
     */
    public static SettingsSource of(Function<String, Optional<String>> lookup) {
        return new SettingsSource(lookup, Set::of, "test");
    }

    /**
     * A source backed by a map, whose keys are also checked for misspellings; for tests.
     *
     * @param values values by key
     * @return the source
     */
    public static SettingsSource of(Map<String, String> values) {
        return new SettingsSource(key -> Optional.ofNullable(values.get(key)), () -> new TreeSet<>(values.keySet()),
                "test");
    }

    /**
     * What is set but means nothing: a retired key, or a {@code highlander.*} key that Highlander does not know
     * (with the nearest known key). Neither fails a deployment: the settings that are read are still valid.
     *
     * @return one warning per such key, sorted by key
     */
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        for (String name : names.get()) {
            if (!name.startsWith(PREFIX) || ALL.contains(name)) {
                continue;
            }
            if (name.equals(STANDBY_MODE)) {
                warnings.add(Messages.retiredStandbyMode());
            } else {
                warnings.add(Messages.unknownSetting(name, nearestKey(name).orElse(null)));
            }
        }
        return warnings;
    }

    /**
     * @param name a key that is not ours
     * @return the known key it most likely misspells, if one is close enough to be a plausible misspelling
     */
    static Optional<String> nearestKey(String name) {
        return ALL.stream().min(Comparator.comparingInt((String key) -> editDistance(name, key)))
                // at most about a third of the key's own part (after "highlander.") may differ
                .filter(key -> editDistance(name, key) <= Math.max(2, (name.length() - PREFIX.length()) / 3));
    }

    /** The Levenshtein distance: insertions, deletions and substitutions that turn one string into the other. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
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
        warnings().forEach(warning -> LOG.log(System.Logger.Level.WARNING, warning));
        List<String> problems = new ArrayList<>();
        HighlanderSettings.Builder builder = HighlanderSettings.builder();
        lookup.apply(NODE_ID).ifPresent(builder::nodeId);
        Optional<Duration> lease = duration(LEASE, problems);
        lease.ifPresent(builder::lease);
        // An unreadable lease leaves the builder with the default one, which the user never chose: then check
        // only what is wrong whatever the lease (the load fails anyway), and compare nothing with it.
        boolean leaseUnreadable = lease.isEmpty() && lookup.apply(LEASE).isPresent();
        Optional<Duration> heartbeat = duration(HEARTBEAT, problems);
        Optional<Duration> stopMargin = duration(STOP_MARGIN, problems);
        if (leaseUnreadable) {
            heartbeat.filter(SettingsSource::notPositive)
                    .ifPresent(value -> problems.add(Messages.notPositive(HEARTBEAT, value)));
            stopMargin.filter(SettingsSource::notPositive)
                    .ifPresent(value -> problems.add(Messages.notPositive(STOP_MARGIN, value)));
        } else {
            heartbeat.ifPresent(builder::heartbeat);
            stopMargin.ifPresent(builder::stopMargin);
        }
        duration(STANDBY_INTERVAL, problems).ifPresent(builder::standbyInterval);
        duration(WATCHER_WAIT, problems).ifPresent(builder::watcherWait);
        lookup.apply(TAKEOVER).ifPresent(value -> {
            try {
                builder.takeover(HighlanderSettings.Takeover.valueOf(value.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problems.add(Messages.invalidTakeover(value));
            }
        });
        lookup.apply(PLACEMENT).ifPresent(value -> {
            try {
                builder.placement(HighlanderSettings.Placement.valueOf(
                        value.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                problems.add(Messages.invalidPlacement(value));
            }
        });
        lookup.apply(NAMESPACE).ifPresent(value -> {
            try {
                builder.namespace(Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                problems.add(Messages.unparsableInteger(NAMESPACE, value));
            }
        });
        lookup.apply(TOKEN_FLOOR).ifPresent(value -> {
            try {
                builder.tokenFloor(Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                problems.add(Messages.invalidTokenFloor(value));
            }
        });
        Optional<String> maxFailures = lookup.apply(RESTART_MAX_FAILURES);
        Optional<Duration> window = duration(RESTART_WINDOW, problems);
        Optional<Duration> backoff = duration(RESTART_BACKOFF, problems);
        Optional<Duration> cooldown = duration(RESTART_COOLDOWN, problems);
        if (maxFailures.isPresent() || window.isPresent() || backoff.isPresent() || cooldown.isPresent()) {
            HighlanderSettings defaults = HighlanderSettings.builder().build();
            int failures = defaults.maxFailures();
            try {
                failures = maxFailures.map(String::trim).map(Integer::parseInt).orElse(failures);
            } catch (NumberFormatException e) {
                problems.add(Messages.unparsableInteger(RESTART_MAX_FAILURES, maxFailures.get()));
            }
            builder.restartPolicy(failures, window.orElse(defaults.failureWindow()),
                    backoff.orElse(defaults.restartBackoff()), cooldown.orElse(defaults.failureCooldown()));
        }
        lookup.apply(DATASOURCE_JNDI).ifPresent(builder::dataSourceJndiName);
        lookup.apply(DATASOURCE_URL).ifPresent(url -> builder.jdbcUrl(url,
                lookup.apply(DATASOURCE_USER).orElse(null),
                lookup.apply(DATASOURCE_PASSWORD).orElse(null)));
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

    /** @return the application's MicroProfile {@code Config}, or {@code null} where there is none */
    private static Object microProfileConfig(ClassLoader classLoader) {
        try {
            Class<?> provider = Class.forName("org.eclipse.microprofile.config.ConfigProvider", true, classLoader);
            return provider.getMethod("getConfig", ClassLoader.class).invoke(null, classLoader);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    private static Function<String, Optional<String>> microProfileLookup(Object config, ClassLoader classLoader) {
        try {
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

    /** The names MicroProfile Config knows; only used to warn about misspelled keys, so a failure is no names. */
    private static Set<String> microProfileNames(Object config, ClassLoader classLoader) {
        Set<String> names = new TreeSet<>();
        try {
            Iterable<?> all = (Iterable<?>) Class.forName("org.eclipse.microprofile.config.Config", true, classLoader)
                    .getMethod("getPropertyNames").invoke(config);
            all.forEach(name -> names.add(String.valueOf(name)));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // no names to check; the settings themselves are still read
        }
        return names;
    }
}
