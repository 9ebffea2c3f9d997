package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.TestCluster;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A server that takes no connection for now (every slot taken, starting up) is a state that passes, as a
 * server that is down is: the node deploys, warns, and competes once the server takes connections again.
 */
class TransientServerStatesTest {

    private static final String PASSWORD = "hl-transient";

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private final String role = "hl_limited_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000;

    @AfterEach
    void dropRole() throws SQLException {
        cluster.nodes().forEach(TestNode::close);
        admin("DROP ROLE IF EXISTS " + role);
    }

    @Test
    void aNodeWhoseRoleHasNoConnectionLeftDeploysWarnsAndLeadsOnceItHasOne() throws SQLException {
        admin("CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "' CONNECTION LIMIT 0");
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("limited").lease(Duration.ofSeconds(3)).build();

        try (LogRecorder log = LogRecorder.of("io.highlander")) {
            TestNode node = cluster.start(settings, dataSourceOf(role), Ticker.class);

            assertThat(log.messages()).anyMatch(message -> message.startsWith("HL-0315: PostgreSQL takes no connection"
                    + " through the DataSource @HighlanderDataSource bean io.highlander.cdi.testing.TestNode for now"
                    + " (SQLState 53300: ") && message.endsWith("); the singletons stay on standby and Highlander keeps"
                    + " trying."));
            assertThat(node.elector().isLeader("ticker")).isFalse();

            admin("ALTER ROLE " + role + " CONNECTION LIMIT -1");
            await().atMost(Duration.ofSeconds(30)).until(() -> node.elector().isLeader("ticker"));
        }
    }

    private DataSource dataSourceOf(String user) throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        String url;
        try (Connection connection = cluster.dataSource().getConnection()) {
            url = connection.getMetaData().getURL();
        }
        dataSource.setUrl(url.replaceAll("([?&])user=[^&]*&?", "$1")); // a user in the URL would win over ours
        dataSource.setUser(user);
        dataSource.setPassword(PASSWORD);
        return dataSource;
    }

    private static void admin(String sql) throws SQLException {
        try (Connection connection = TestPostgres.shared().dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql); // this test's own constant names, never input
        }
    }
}
