package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.internal.HighlanderExtension;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestPostgres;
import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Inject;
import java.time.Duration;
import javax.sql.DataSource;
import org.jboss.weld.junit.MockBean;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.Test;

/** One node as weld-junit5 sets it up: what an application injects works as documented. */
@EnableWeld
class LeaderElectorTest {

    private final History history = new History();
    private final DataSource dataSource = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(Ticker.class, LeadershipLog.class, HighlanderExtension.class)
            .addBeans(MockBean.of(history, History.class),
                    MockBean.of(HighlanderSettings.builder().nodeId("solo").lease(Duration.ofSeconds(2)).build(),
                            HighlanderSettings.class),
                    MockBean.builder().types(DataSource.class).qualifiers(new HighlanderDataSourceLiteral())
                            .creating(dataSource).build())
            .build();

    @Inject
    LeaderElector elector;
    @Inject
    Ticker ticker;

    @Test
    void aLoneNodeLeadsAndItsSingletonAnswersCalls() {
        await().atMost(Duration.ofSeconds(20)).until(() -> elector.isLeader("ticker"));

        assertThat(ticker.node()).isEqualTo("solo");
        assertThat(elector.nodeId()).isEqualTo("solo");
        assertThat(elector.leader("ticker")).contains("solo");
        assertThat(elector.checkLeadership("ticker")).isPositive();
        assertThat(elector.status("ticker").database()).get().asString().contains("/" + databaseName() + " (cluster ")
                .endsWith(", timeline 1)");
        assertThat(history.entries("start")).hasSize(1);
    }

    private String databaseName() {
        try (var connection = dataSource.getConnection()) {
            return connection.getCatalog();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class HighlanderDataSourceLiteral extends AnnotationLiteral<HighlanderDataSource>
            implements HighlanderDataSource {
        private static final long serialVersionUID = 1L;
    }
}
