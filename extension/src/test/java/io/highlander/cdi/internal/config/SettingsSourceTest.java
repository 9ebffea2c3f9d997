package io.highlander.cdi.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.testing.LogRecorder;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsSourceTest {

    @Test
    void defaultsAreDocumentedValues() {
        HighlanderSettings settings = source(Map.of("highlander.node-id", "a")).load();

        assertThat(settings.lease()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.heartbeat()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.stopMargin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.standbyInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.namespace()).isEqualTo(HighlanderSettings.DEFAULT_NAMESPACE);
    }

    @Test
    void readsEveryKey() {
        HighlanderSettings settings = source(Map.of(
                "highlander.node-id", "node-7",
                "highlander.lease", "3s",
                "highlander.heartbeat", "500ms",
                "highlander.stop-margin", "PT0.4S",
                "highlander.standby.interval", "250ms",
                "highlander.namespace", "-42",
                "highlander.datasource.url", "jdbc:postgresql://localhost/app",
                "highlander.datasource.user", "app",
                "highlander.datasource.password", "s3cret")).load();

        assertThat(settings.nodeId()).isEqualTo("node-7");
        assertThat(settings.lease()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.heartbeat()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.stopMargin()).isEqualTo(Duration.ofMillis(400));
        assertThat(settings.standbyInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.namespace()).isEqualTo(-42);
        assertThat(settings.jdbcUser()).isEqualTo("app");
        assertThat(settings.jdbcPassword()).isEqualTo("s3cret");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> source(Map.of(
                "highlander.lease", "ten seconds",
                "highlander.takeover", "sometimes",
                "highlander.namespace", "big",
                "highlander.datasource.url", "jdbc:h2:mem:x")).load())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(String.join(System.lineSeparator(),
                        "HL-0200: invalid Highlander settings (from test):",
                        "HL-0207: highlander.lease 'ten seconds' is not a duration; write e.g. 1500ms, 10s, 1m or PT10S.",
                        "HL-0321: highlander.takeover 'sometimes' is unknown; use 'fast' or 'strict'.",
                        "HL-0208: highlander.namespace 'big' is not a 32-bit integer.",
                        "HL-0209: highlander.datasource.url must start with 'jdbc:postgresql:'; Highlander needs PostgreSQL."));
    }

    @Test
    void theTokenFloorIsAWholeNumberOfZeroOrMore() {
        assertThat(source(Map.of()).load().tokenFloor()).isZero();
        assertThat(source(Map.of("highlander.token-floor", " 35184372089571 ")).load().tokenFloor())
                .isEqualTo(35184372089571L);
        assertThatThrownBy(() -> source(Map.of("highlander.token-floor", "-1")).load())
                .hasMessageContaining("HL-0343: highlander.token-floor '-1' is not a whole number of 0 or more; set it"
                        + " to the highest fencing token handed out before the move to another cluster, or leave it out.");
        assertThatThrownBy(() -> source(Map.of("highlander.token-floor", "high")).load())
                .hasMessageContaining("HL-0343: highlander.token-floor 'high' is not a whole number of 0 or more;");
    }

    @Test
    void heartbeatMustLeaveRoomForTwoMissedBeats() {
        assertThatThrownBy(() -> HighlanderSettings.builder().lease(Duration.ofSeconds(3))
                .heartbeat(Duration.ofMillis(1001)).build())
                .hasMessage("HL-0203: highlander.heartbeat PT1.001S must be more than zero and at most a third of"
                        + " highlander.lease PT3S, so that a leader can miss two heartbeats; lower it or raise the lease.");
    }

    @Test
    void theRetiredStandbyModeOnlyWarnsWhateverItsValue() {
        SettingsSource source = source(Map.of("highlander.standby.mode", "polling",
                "highlander.standby.interval", "10s"));

        try (LogRecorder log = LogRecorder.of(SettingsSource.class.getName())) {
            HighlanderSettings settings = source.load(); // an interval of a lease failed HL-0213 in polling mode

            assertThat(settings.standbyInterval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(log.messages()).containsExactly("HL-0217: highlander.standby.mode is retired and ignored:"
                    + " every standby waits the same way, told by notices when a lock is released, with"
                    + " highlander.standby.interval as the safety net; remove the setting.");
        }
        assertThat(source(Map.of("highlander.standby.mode", "sometimes")).load()).isNotNull();
    }

    @Test
    void aMisspelledKeyIsWarnedAboutWithTheNearestKnownKey() {
        SettingsSource source = source(Map.of("highlander.datasource.username", "app",
                "highlander.leese", "5s", "highlander.frobnicate-everything", "yes", "other.key", "x"));

        try (LogRecorder log = LogRecorder.of(SettingsSource.class.getName())) {
            source.load();

            assertThat(log.messages()).containsExactly(
                    "HL-0218: highlander.datasource.username is not a Highlander setting and is ignored; did you mean"
                            + " highlander.datasource.user?",
                    "HL-0218: highlander.frobnicate-everything is not a Highlander setting and is ignored; the"
                            + " settings are listed in the javadoc of io.highlander.cdi.HighlanderSettings.",
                    "HL-0218: highlander.leese is not a Highlander setting and is ignored; did you mean"
                            + " highlander.lease?");
        }
    }

    @Test
    void aKnownKeyIsNotWarnedAbout() {
        Map<String, String> every = new java.util.HashMap<>();
        SettingKeys.ALL.forEach(key -> every.put(key, "x"));

        assertThat(source(every).warnings()).isEmpty();
    }

    @Test
    void theKnownKeysAreExactlyTheKeysThatAreRead() {
        Set<String> asked = new HashSet<>();
        SettingsSource source = SettingsSource.of(key -> {
            asked.add(key);
            // with a URL, its user and password are read too
            return key.equals(SettingKeys.DATASOURCE_URL) ? Optional.of("jdbc:postgresql://db/app") : Optional.empty();
        });
        source.load();
        source.value(SettingKeys.DATASOURCE_NAME); // read by the build-compatible extension only

        assertThat(asked).containsExactlyInAnyOrderElementsOf(SettingKeys.ALL);
    }

    @Test
    void systemPropertiesAreCheckedForMisspelledKeys() {
        System.setProperty("highlander.hartbeat", "1s");
        try {
            assertThat(SettingsSource.forApplication(getClass().getClassLoader()).warnings()).contains(
                    "HL-0218: highlander.hartbeat is not a Highlander setting and is ignored; did you mean"
                            + " highlander.heartbeat?");
        } finally {
            System.clearProperty("highlander.hartbeat");
        }
    }

    @Test
    void theWatchersWaitIsBetweenASecondAndAnHourAndReadFromItsKey() {
        assertThatThrownBy(() -> HighlanderSettings.builder().watcherWait(Duration.ofMillis(500)).build())
                .hasMessage("HL-0320: highlander.watcher.wait PT0.5S is out of range; use 1s to 1h (default 1m).");
        assertThat(HighlanderSettings.builder().build().watcherWait()).isEqualTo(Duration.ofMinutes(1));
        assertThat(source(Map.of("highlander.watcher.wait", "90s")).load().watcherWait())
                .isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void takeoverIsFastOrStrict() {
        assertThat(HighlanderSettings.builder().build().takeover()).isEqualTo(HighlanderSettings.Takeover.FAST);
        assertThat(source(Map.of("highlander.takeover", "Strict")).load().takeover())
                .isEqualTo(HighlanderSettings.Takeover.STRICT);
        assertThatThrownBy(() -> source(Map.of("highlander.takeover", "eager")).load())
                .hasMessageEndingWith("HL-0321: highlander.takeover 'eager' is unknown; use 'fast' or 'strict'.");
    }

    @Test
    void absurdTimeoutsAreRejected() {
        assertThatThrownBy(() -> HighlanderSettings.builder().lease(Duration.ofMillis(-5)).build())
                .hasMessage("HL-0202: highlander.lease PT-0.005S is out of range; use 300ms to 1 day (default 10s).");
        assertThatThrownBy(() -> HighlanderSettings.builder().standbyInterval(Duration.ofDays(2)).build())
                .hasMessage("HL-0206: highlander.standby.interval PT48H is out of range; use 10ms to 1h (default 5s).");
        assertThatThrownBy(() -> HighlanderSettings.builder().stopMargin(Duration.ZERO).build())
                .hasMessage("HL-0204: highlander.stop-margin PT0S must be more than zero and at most a third of"
                        + " highlander.lease PT10S; lower it or raise the lease.");
        assertThatThrownBy(() -> HighlanderSettings.builder().nodeId(" ").build())
                .hasMessage("HL-0201: highlander.node-id ' ' is invalid; use 1 to 50 characters, unique in the cluster.");
    }

    @Test
    void microProfileConfigIsReadWhenPresent() {
        SettingsSource source = SettingsSource.forApplication(getClass().getClassLoader());

        assertThat(source.description()).isEqualTo("MicroProfile Config, system properties, environment");
        assertThat(source.load().namespace()).isEqualTo(4242); // from META-INF/microprofile-config.properties
    }

    @Test
    void environmentNamesFollowTheMicroProfileConvention() {
        assertThat(SettingsSource.environmentName("highlander.node-id")).isEqualTo("HIGHLANDER_NODE_ID");
        assertThat(SettingsSource.environmentName("highlander.datasource.url")).isEqualTo("HIGHLANDER_DATASOURCE_URL");
    }

    @Test
    void anUnreadableLeaseIsReportedWithoutComparingOtherSettingsWithTheDefaultLease() {
        assertThatThrownBy(() -> source(Map.of(
                "highlander.lease", "ten seconds",
                "highlander.heartbeat", "5s",
                "highlander.stop-margin", "4s",
                "highlander.standby.interval", "12s")).load())
                .hasMessage(String.join(System.lineSeparator(),
                        "HL-0200: invalid Highlander settings (from test):",
                        "HL-0207: highlander.lease 'ten seconds' is not a duration; write e.g. 1500ms, 10s, 1m or PT10S."));
    }

    @Test
    void settingsThatAreWrongWhateverTheLeaseAreReportedWithAnUnreadableLease() {
        assertThatThrownBy(() -> source(Map.of(
                "highlander.lease", "ten seconds",
                "highlander.heartbeat", "0s",
                "highlander.stop-margin", "PT-1S",
                "highlander.standby.interval", "2h")).load())
                .hasMessage(String.join(System.lineSeparator(),
                        "HL-0200: invalid Highlander settings (from test):",
                        "HL-0207: highlander.lease 'ten seconds' is not a duration; write e.g. 1500ms, 10s, 1m or PT10S.",
                        "HL-0214: highlander.heartbeat PT0S must be more than zero.",
                        "HL-0214: highlander.stop-margin PT-1S must be more than zero.",
                        "HL-0206: highlander.standby.interval PT2H is out of range; use 10ms to 1h (default 5s)."));
    }

    @Test
    void anOutOfRangeLeaseIsReportedWithoutComparingOtherSettingsWithIt() {
        assertThatThrownBy(() -> HighlanderSettings.builder().lease(Duration.ofMillis(100))
                .standbyInterval(Duration.ofMillis(200)).build())
                .hasMessage("HL-0202: highlander.lease PT0.1S is out of range; use 300ms to 1 day (default 10s).");
    }

    private static SettingsSource source(Map<String, String> values) {
        return SettingsSource.of(values);
    }
}
