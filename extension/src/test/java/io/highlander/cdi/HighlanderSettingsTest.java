package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HighlanderSettingsTest {

    @Test
    void toStringShowsNoPasswordWrittenIntoTheJdbcUrl() {
        HighlanderSettings settings = HighlanderSettings.builder()
                .jdbcUrl("jdbc:postgresql://db.example:5432/app?user=app&password=s3cret&sslpassword=k3y&ssl=true",
                        null, null).build();

        assertThat(settings.toString()).doesNotContain("s3cret").doesNotContain("k3y")
                .contains("jdbcUrl=jdbc:postgresql://db.example:5432/app?user=app&password=****&sslpassword=****&ssl=true");
    }

    @Test
    void toStringShowsNoPasswordWrittenAsUserInformation() {
        HighlanderSettings settings = HighlanderSettings.builder()
                .jdbcUrl("jdbc:postgresql://app:s3cret@db.example/app", null, null).build();

        assertThat(settings.toString()).doesNotContain("s3cret").contains("jdbcUrl=jdbc:postgresql://app:****@db.example/app");
    }

    @Test
    void toStringNeverShowsThePasswordSetApart() {
        HighlanderSettings settings = HighlanderSettings.builder()
                .jdbcUrl("jdbc:postgresql://localhost/app", "app", "s3cret").build();

        assertThat(settings.toString()).doesNotContain("s3cret").contains("jdbcPassword=****");
    }
}
