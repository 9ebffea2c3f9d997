package io.highlander.cdi.internal.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Which failures to connect fail a deployment, and which only make Highlander wait. */
class ConnectFailureTest {

    @Test
    void aServerStartingUpIsBusyNotBroken() {
        assertThat(ConnectFailure.of(new SQLException("FATAL: the database system is starting up", "57P03")))
                .isEqualTo(ConnectFailure.BUSY);
    }

    @Test
    void everySlotTakenIsBusyNotBroken() {
        assertThat(ConnectFailure.of(new SQLException("FATAL: too many connections for role \"r\"", "53300")))
                .isEqualTo(ConnectFailure.BUSY);
        assertThat(ConnectFailure.of(new SQLException("FATAL: remaining connection slots are reserved", "53300")))
                .isEqualTo(ConnectFailure.BUSY);
    }

    @Test
    void aPoolsWrapperDoesNotHideTheDriversSqlState() {
        SQLException wrapped = new SQLException("Error in allocating a connection",
                new SQLException("FATAL: the database system is starting up", "57P03"));
        assertThat(ConnectFailure.of(wrapped)).isEqualTo(ConnectFailure.BUSY);
    }

    @Test
    void authenticationAndUnknownDatabaseCanNeverWork() {
        assertThat(ConnectFailure.of(new SQLException("password authentication failed", "28P01")))
                .isEqualTo(ConnectFailure.REJECTED);
        assertThat(ConnectFailure.of(new SQLException("database \"x\" does not exist", "3D000")))
                .isEqualTo(ConnectFailure.REJECTED);
    }

    @Test
    void aServerThatIsDownIsUnreachable() {
        assertThat(ConnectFailure.of(new SQLException("Connection refused", "08001"))).isEqualTo(ConnectFailure.UNREACHABLE);
        assertThat(ConnectFailure.of(new SQLException("I/O", null, new EOFException()))).isEqualTo(ConnectFailure.UNREACHABLE);
        assertThat(ConnectFailure.of(new SQLException("FATAL: terminating connection due to administrator command",
                "57P01"))).isEqualTo(ConnectFailure.UNREACHABLE);
    }

    @Test
    void aPoolWithoutDriverIsUnknown() {
        assertThat(ConnectFailure.of(new SQLException("Class name is wrong or classpath is not set")))
                .isEqualTo(ConnectFailure.UNKNOWN);
    }
}
