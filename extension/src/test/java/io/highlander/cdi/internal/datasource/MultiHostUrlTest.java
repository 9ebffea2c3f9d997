package io.highlander.cdi.internal.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Splitting a multi-host URL into one URL per host, each with the whole of the original's database and parameters. */
class MultiHostUrlTest {

    @Test
    void eachHostGetsTheDatabaseAndEveryParameter() {
        assertThat(MultiHostUrl.split("jdbc:postgresql://a:5432,b:5433/app?targetServerType=primary&password=s3cret"))
                .contains(List.of("jdbc:postgresql://a:5432/app?targetServerType=primary&password=s3cret",
                        "jdbc:postgresql://b:5433/app?targetServerType=primary&password=s3cret"));
    }

    @Test
    void aHostWithoutAPortKeepsTheDriversDefault() {
        assertThat(MultiHostUrl.split("jdbc:postgresql://a,b:6000/app?targetServerType=primary")).contains(List.of(
                "jdbc:postgresql://a/app?targetServerType=primary", "jdbc:postgresql://b:6000/app?targetServerType=primary"));
    }

    @Test
    void bracketedIpv6AddressesKeepTheirColons() {
        assertThat(MultiHostUrl.split("jdbc:postgresql://[::1]:5432,[fe80::1:2]/app?targetServerType=primary"))
                .contains(List.of("jdbc:postgresql://[::1]:5432/app?targetServerType=primary",
                        "jdbc:postgresql://[fe80::1:2]/app?targetServerType=primary"));
    }

    @Test
    void aUrlWithoutDatabaseSplitsAtItsParameters() {
        assertThat(MultiHostUrl.split("jdbc:postgresql://a:1,b:2?targetServerType=primary")).contains(List.of(
                "jdbc:postgresql://a:1?targetServerType=primary", "jdbc:postgresql://b:2?targetServerType=primary"));
    }

    @Test
    void aSingleHostOrNoHostIsLeftToTheDriver() {
        assertThat(MultiHostUrl.split("jdbc:postgresql://a:5432/app?targetServerType=primary")).isEmpty();
        assertThat(MultiHostUrl.split("jdbc:postgresql://[::1]:5432/app")).isEmpty();
        assertThat(MultiHostUrl.split("jdbc:postgresql:app")).isEmpty();
        assertThat(MultiHostUrl.split("jdbc:postgresql:///app")).isEmpty();
        assertThat(MultiHostUrl.split("jdbc:h2:mem:x")).isEmpty();
        assertThat(MultiHostUrl.split(null)).isEmpty();
    }

    @Test
    void withoutAskingForAPrimaryTheListIsLeftToTheDriversOrder() {
        // raced, a list that names a standby too would land on it whenever it answered first, and be refused (HL-0308)
        assertThat(MultiHostUrl.split("jdbc:postgresql://a,b/app")).isEmpty();
        assertThat(MultiHostUrl.split("jdbc:postgresql://a,b/app?sslmode=disable")).isEmpty();
        assertThat(MultiHostUrl.split("jdbc:postgresql://a,b/app?targetServerType=any")).isEmpty();
    }

    @Test
    void aTargetThatRanksHostsIsLeftToTheDriver() {
        assertThat(MultiHostUrl.split("jdbc:postgresql://a,b/app?targetServerType=preferPrimary")).isEmpty();
        assertThat(MultiHostUrl.split("jdbc:postgresql://a,b/app?targetServerType=secondary")).isEmpty();
        assertThat(MultiHostUrl.split("jdbc:postgresql://a,b/app?targetServerType=primary&targetServerType=preferSecondary"))
                .as("the last value wins, as in the driver").isEmpty();
        assertThat(MultiHostUrl.split("jdbc:postgresql://a,b/app?targetServerType=master")).isPresent();
    }
}
