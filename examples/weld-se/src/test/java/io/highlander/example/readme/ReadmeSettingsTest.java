package io.highlander.example.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.internal.config.SettingKeys;
import io.highlander.cdi.internal.config.SettingsSource;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table is the one place a user reads the settings from, so it is checked against the
 * library itself: it names exactly the keys the library knows ({@link SettingKeys#ALL}, which
 * {@code SettingsSourceTest} holds equal to the keys the library reads; retired keys only warn and are left out),
 * and each default it states is the library's own (setting a key to its documented default changes nothing).
 */
class ReadmeSettingsTest {

    private static final Pattern ROW = Pattern.compile("^\\| `(highlander\\.[^`]+)` \\| ([^|]+) \\|.*\\|$");
    private static final Pattern LITERAL = Pattern.compile("`([^`]+)`");
    private static final Pattern FRACTION_OF_LEASE = Pattern.compile("L/(\\d+)");

    @Test
    void theTableNamesEveryKeyTheLibraryKnowsAndNoOther() throws IOException {
        List<String> known = SettingKeys.ALL.stream().filter(key -> !SettingKeys.RETIRED.contains(key)).toList();

        assertThat(List.copyOf(table().keySet()))
                .as("the keys of the README's settings table, in the order of SettingKeys.ALL").isEqualTo(known);
    }

    @Test
    void everyDefaultTheTableStatesIsTheLibrarysOwn() throws IOException {
        String defaults = load(Map.of()).toString();
        int checked = 0;
        for (Map.Entry<String, String> row : table().entrySet()) {
            Optional<String> value = documentedValue(row.getValue());
            if (value.isPresent()) {
                assertThat(load(Map.of(row.getKey(), value.get())).toString())
                        .as("%s set to its documented default %s", row.getKey(), row.getValue())
                        .isEqualTo(defaults);
                checked++;
            }
        }
        assertThat(checked).as("rows whose default is a value (`10s`) or a share of the lease (L/5)")
                .isGreaterThanOrEqualTo(10);
    }

    /** The default cell as a value to set: `10s` as 10s, L/5 as a fifth of the default lease; else empty. */
    private static Optional<String> documentedValue(String cell) {
        Matcher fraction = FRACTION_OF_LEASE.matcher(cell.trim());
        if (fraction.matches()) {
            return Optional.of(HighlanderSettings.DEFAULT_LEASE.dividedBy(Long.parseLong(fraction.group(1))).toMillis() + "ms");
        }
        Matcher literal = LITERAL.matcher(cell.trim());
        return literal.matches() ? Optional.of(literal.group(1)) : Optional.empty();
    }

    /** The rows of the table under "## Settings": key → default cell. */
    static Map<String, String> table() throws IOException {
        List<String> lines = Files.readAllLines(ReadmeSnippetsTest.ROOT.resolve("README.md"));
        int section = lines.indexOf("## Settings");
        assertThat(section).as("README.md has a '## Settings' section").isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : lines.subList(section + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (line.startsWith("| key | default |")) {
                inTable = true;
            } else if (inTable && !line.startsWith("|")) {
                break;
            } else if (inTable && !line.startsWith("|---")) {
                Matcher row = ROW.matcher(line);
                assertThat(row.matches()).as("a settings row: | `highlander.key` | default | meaning |: " + line).isTrue();
                assertThat(rows.put(row.group(1), row.group(2).trim())).as("one row per key: " + row.group(1)).isNull();
            }
        }
        assertThat(rows).as("the settings table").isNotEmpty();
        return rows;
    }

    private static HighlanderSettings load(Map<String, String> values) {
        return SettingsSource.of(key -> Optional.ofNullable(values.get(key))).load();
    }
}
