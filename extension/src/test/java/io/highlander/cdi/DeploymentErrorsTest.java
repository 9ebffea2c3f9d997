package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.highlander.cdi.testing.LogRecorder;
import io.highlander.cdi.testing.PasswordCheck;
import io.highlander.cdi.testing.TestNode;
import io.highlander.cdi.testing.TestPostgres;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Every misuse fails the deployment with a message that names the class and the fix. */
class DeploymentErrorsTest {

    private static final HighlanderSettings SETTINGS = HighlanderSettings.builder().nodeId("a").build();

    @Test
    void dependentBeanIsRejected() {
        assertThat(deploymentFailure(DependentJob.class)).contains("HL-0101: @ClusterSingleton bean "
                + DependentJob.class.getName() + " must be @ApplicationScoped but is @Dependent; add @ApplicationScoped to the class.");
    }

    @Test
    void requestScopedBeanIsRejected() {
        assertThat(deploymentFailure(RequestScopedJob.class)).contains("HL-0101: @ClusterSingleton bean "
                + RequestScopedJob.class.getName() + " must be @ApplicationScoped but is @RequestScoped; add @ApplicationScoped to the class.");
    }

    @Test
    void beanWithoutScopeIsRejected() {
        assertThat(deploymentFailure(UnscopedJob.class)).contains("HL-0101: @ClusterSingleton bean "
                + UnscopedJob.class.getName() + " must be @ApplicationScoped but is @Dependent (no scope declared);"
                + " add @ApplicationScoped to the class.");
    }

    @Test
    void abstractClassIsRejected() {
        assertThat(deploymentFailure(AbstractJob.class)).contains("HL-0102: @ClusterSingleton is on the abstract class "
                + AbstractJob.class.getName() + ", which cannot have an instance of its own; put it on a concrete"
                + " @ApplicationScoped class.");
    }

    @Test
    void decoratorIsRejected() {
        assertThat(deploymentFailure(Job.class, PlainJob.class, JobDecorator.class)).contains(
                "HL-0103: @ClusterSingleton is on the decorator " + JobDecorator.class.getName()
                        + "; only an @ApplicationScoped bean can be a cluster singleton, remove the annotation.");
    }

    @Test
    void blankNameIsRejected() {
        assertThat(deploymentFailure(BlankNameJob.class)).contains("HL-0104: @ClusterSingleton on "
                + BlankNameJob.class.getName() + " has a blank name; give it a name or leave the value out to use"
                + " the class name.");
    }

    @Test
    void duplicateNamesAreRejected() {
        assertThat(deploymentFailure(NightlyA.class, NightlyB.class)).contains("HL-0105: the cluster singleton name"
                + " 'nightly' is used by " + NightlyA.class.getName() + " and " + NightlyB.class.getName()
                + "; each singleton needs its own name, change @ClusterSingleton(\"...\") on one of them.");
    }

    @Test
    void namesWithCollidingLockKeysAreRejected() {
        assertThat(deploymentFailure(CollidingA.class, CollidingB.class)).contains("HL-0106: the cluster singleton"
                + " names 'job-45873' and 'job-52859' hash to the same lock key 329396989 and would share one lock;"
                + " rename one of them.");
    }

    @Test
    void unannotatedSubclassOfASingletonIsRejected() {
        // @ApplicationScoped is @Inherited, @ClusterSingleton is not: the subclass would run on every node
        assertThat(deploymentFailure(Report.class, ReportWithFooter.class)).contains("HL-0107: bean "
                + ReportWithFooter.class.getName() + " extends the cluster singleton " + Report.class.getName()
                + " ('report') but is not a @ClusterSingleton itself, so every node would run it; annotate it"
                + " @ClusterSingleton with a name of its own, or share the code through a base class that is not a bean.");
    }

    @Test
    void specializingBeanWithoutTheAnnotationIsRejected() {
        assertThat(deploymentFailure(Report.class, SpecializedReport.class)).contains("HL-0107: bean "
                + SpecializedReport.class.getName() + " extends the cluster singleton " + Report.class.getName()
                + " ('report') but is not a @ClusterSingleton itself");
    }

    @Test
    void subclassThatIsASingletonOfItsOwnIsAccepted() {
        DataSource dataSource = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());
        try (TestNode node = TestNode.start(SETTINGS, dataSource, Map.of(), Report.class, WeeklyReport.class)) {
            assertThat(node.elector().status()).extracting(SingletonStatus::singleton)
                    .containsExactlyInAnyOrder("report", "weekly-report");
        }
    }

    @Test
    void missingDataSourceIsRejected() {
        assertThat(failure(() -> TestNode.start(SETTINGS, null, Map.of(), ValidJob.class))).contains(
                "HL-0301: no DataSource for the cluster singletons' locks; produce a DataSource bean with"
                        + " @HighlanderDataSource, or set highlander.datasource.jndi to a JNDI name, or set"
                        + " highlander.datasource.url (with .user and .password) to a jdbc:postgresql: URL.");
    }

    @Test
    void missingJndiNameIsRejected() {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("a")
                .dataSourceJndiName("java:comp/env/jdbc/missing").build();

        assertThat(failure(() -> TestNode.start(settings, null, Map.of(), ValidJob.class))).contains(
                "HL-0302: the DataSource JNDI name 'java:comp/env/jdbc/missing' (highlander.datasource.jndi) was not"
                        + " found (NoInitialContextException); define that DataSource in the server or correct the name.");
    }

    @Test
    void dataSourceOfAnotherDatabaseIsRejected() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:highlander");

        assertThat(failure(() -> TestNode.start(SETTINGS, h2, Map.of(), ValidJob.class))).contains(
                "HL-0306: the DataSource @HighlanderDataSource bean io.highlander.cdi.testing.TestNode is H2, not"
                        + " PostgreSQL; advisory locks need PostgreSQL 14 or newer, point Highlander at a PostgreSQL DataSource.");
    }

    @Test
    void jdbcUrlWithoutDriverIsRejected() {
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("a")
                .jdbcUrl("jdbc:postgresql://127.0.0.1:1/none?password=hidden", "u", "p").build();
        // the PostgreSQL driver is on this class path, so reach the check with a URL no driver accepts
        assertThat(io.highlander.cdi.internal.Messages.noJdbcDriver("jdbc:postgresql://h/db?password=hidden"))
                .isEqualTo("HL-0305: no JDBC driver accepts jdbc:postgresql://h/db?password=****; add"
                        + " org.postgresql:postgresql to the application's class path.");
        assertThat(settings.toString()).doesNotContain("\"p\"");
    }

    @Test
    void unknownDatabaseIsRejectedButUnreachableServerIsNot() {
        TestPostgres postgres = TestPostgres.shared();
        String missing = postgres.url().replace("/postgres", "/no_such_database");
        HighlanderSettings wrongDatabase = HighlanderSettings.builder().nodeId("a")
                .jdbcUrl(missing, postgres.user(), postgres.password()).build();

        assertThat(failure(() -> TestNode.start(wrongDatabase, null, Map.of(), ValidJob.class)))
                .contains("HL-0309: PostgreSQL refused the connection of DataSource")
                .contains("(SQLState 3D000: ")
                .contains("check the user, password and database name.");

        HighlanderSettings downServer = HighlanderSettings.builder().nodeId("a")
                .jdbcUrl("jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=1", "u", "p").build();
        try (TestNode node = TestNode.start(downServer, null, Map.of(), ValidJob.class)) {
            assertThat(node.elector().status("valid-job").state()).isIn(SingletonState.STARTING, SingletonState.STANDBY);
        }
    }

    @Test
    void twoMisconfigurationsAreTheWholeMessageOfWhatWeldThrows() {
        Throwable thrown = catchThrowable(() -> TestNode.start(SETTINGS, null, Map.of(), DependentJob.class, ValidJob.class));

        assertThat(thrown).isInstanceOf(jakarta.enterprise.inject.spi.DeploymentException.class);
        assertThat(thrown.getMessage()).isEqualTo(String.join(System.lineSeparator(),
                "HL-0101: @ClusterSingleton bean " + DependentJob.class.getName() + " must be @ApplicationScoped but"
                        + " is @Dependent; add @ApplicationScoped to the class.",
                "HL-0301: no DataSource for the cluster singletons' locks; produce a DataSource bean with"
                        + " @HighlanderDataSource, or set highlander.datasource.jndi to a JNDI name, or set"
                        + " highlander.datasource.url (with .user and .password) to a jdbc:postgresql: URL."));
        assertThat(thrown.getCause()).as("nothing but the lines to print").satisfiesAnyOf(
                cause -> assertThat(cause).isNull(),
                cause -> assertThat(cause.getStackTrace()).isEmpty());
    }

    @Test
    void aDeclarationAndASettingThatAreWrongAreReportedTogether() {
        System.setProperty("highlander.lease", "ten seconds");
        try {
            Throwable thrown = catchThrowable(() -> TestNode.start(null, null, Map.of(), DependentJob.class));

            assertThat(thrown.getMessage()).isEqualTo(String.join(System.lineSeparator(),
                    "HL-0101: @ClusterSingleton bean " + DependentJob.class.getName() + " must be @ApplicationScoped"
                            + " but is @Dependent; add @ApplicationScoped to the class.",
                    "HL-0200: invalid Highlander settings (from MicroProfile Config, system properties, environment):",
                    "HL-0207: highlander.lease 'ten seconds' is not a duration; write e.g. 1500ms, 10s, 1m or PT10S."));
        } finally {
            System.clearProperty("highlander.lease");
        }
    }

    @Test
    void anUnknownHostIsNamedWithTheDriversCause() {
        // pgjdbc says only "The connection attempt failed."; the host that could not be resolved is in its cause
        HighlanderSettings unknownHost = HighlanderSettings.builder().nodeId("a")
                .jdbcUrl("jdbc:postgresql://no-such-host.invalid/postgres?connectTimeout=1", "u", "p").build();
        try (LogRecorder log = LogRecorder.of("io.highlander.cdi");
             TestNode node = TestNode.start(unknownHost, null, Map.of(), ValidJob.class)) {
            assertThat(log.messages()).filteredOn(message -> message.startsWith("HL-0310")).singleElement()
                    .asString().contains("The connection attempt failed.")
                    .contains("(The connection attempt failed.: UnknownHostException no-such-host.invalid)");
        }
    }

    @Test
    void interfaceIsRejected() {
        assertThat(deploymentFailure(ValidJob.class, SingletonInterface.class)).contains("HL-0102: @ClusterSingleton is on"
                + " the interface " + SingletonInterface.class.getName() + ", which cannot have an instance of its own;"
                + " put it on a concrete @ApplicationScoped class.");
    }

    @Test
    void producerMethodsCannotCarryTheAnnotation() {
        // @ClusterSingleton on a producer method or field does not compile: it targets classes only
        assertThat(ClusterSingleton.class.getAnnotation(java.lang.annotation.Target.class).value())
                .containsExactly(java.lang.annotation.ElementType.TYPE);
    }

    @Test
    void twoHighlanderDataSourcesAreRejected() {
        assertThat(deploymentFailure(ValidJob.class, SecondDataSource.class)).contains(
                "HL-0304: the application has 2 DataSource beans with @HighlanderDataSource; keep one.");
    }

    @Test
    void twoSettingsBeansAreRejected() {
        assertThat(deploymentFailure(ValidJob.class, SecondSettings.class)).contains(
                "HL-0210: the application has 2 HighlanderSettings beans; produce at most one.");
    }

    @Test
    void invalidSettingsFromSystemPropertiesAreRejectedAllAtOnce() {
        System.setProperty("highlander.heartbeat", "5s");
        System.setProperty("highlander.standby.interval", "0ms");
        try {
            assertThat(failure(() -> TestNode.start(null, TestPostgres.shared().dataSource(), Map.of(), ValidJob.class)))
                    .contains("HL-0200: invalid Highlander settings (from MicroProfile Config, system properties, environment):\n"
                            + "HL-0203: highlander.heartbeat PT5S must be more than zero and at most a third of"
                            + " highlander.lease PT10S, so that a leader can miss two heartbeats; lower it or raise the lease.\n"
                            + "HL-0206: highlander.standby.interval PT0S is out of range; use 10ms to 1h (default 5s).");
        } finally {
            System.clearProperty("highlander.heartbeat");
            System.clearProperty("highlander.standby.interval");
        }
    }

    @Test
    void wrongPasswordIsRejectedWithoutShowingIt() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        org.junit.jupiter.api.Assumptions.assumeTrue(postgres.kind().equals("embedded"),
                "needs a server whose pg_hba.conf this test may change");
        PasswordCheck.requirePasswordFor(postgres, "hl_secret", "right-password");
        HighlanderSettings settings = HighlanderSettings.builder().nodeId("a")
                .jdbcUrl(postgres.url().replaceFirst("\\?.*$", ""), "hl_secret", "wrong-password-123").build();

        String failure = failure(() -> TestNode.start(settings, null, Map.of(), ValidJob.class));

        assertThat(failure).contains("HL-0309: PostgreSQL refused the connection of DataSource")
                .contains("(SQLState 28P01: ").contains("check the user, password and database name.")
                .doesNotContain("wrong-password-123");
    }

    @Test
    void poolThatCannotMakeAnyConnectionIsRejected() {
        // what Payara's pool throws when its PostgreSQL driver is missing: no SQLState, no network cause
        DataSource broken = (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    throw new java.sql.SQLException("Error in allocating a connection. Cause: Class name is wrong or"
                            + " classpath is not set for : org.postgresql.ds.PGSimpleDataSource");
                });

        assertThat(failure(() -> TestNode.start(SETTINGS, broken, Map.of(), ValidJob.class))).contains(
                "HL-0313: the DataSource @HighlanderDataSource bean io.highlander.cdi.testing.TestNode could not"
                        + " create any connection, and not because the database is down (java.sql.SQLException: Error"
                        + " in allocating a connection.");
    }

    @Test
    void applicationWithoutSingletonsNeedsNoDataSource() {
        try (TestNode node = TestNode.start(SETTINGS, null, Map.of(), PlainJob.class)) {
            assertThat(node.elector().status()).isEmpty();
        }
    }

    @Test
    void aSingletonWithoutANameOfItsOwnIsAcceptedWithAWarning() {
        DataSource dataSource = TestPostgres.shared().dataSource(TestPostgres.shared().newDatabase());
        try (LogRecorder log = LogRecorder.of("io.highlander.cdi");
             TestNode node = TestNode.start(SETTINGS, dataSource, Map.of(), UnnamedJob.class, ValidJob.class)) {
            assertThat(node.elector().status()).extracting(SingletonStatus::singleton)
                    .containsExactlyInAnyOrder(UnnamedJob.class.getName(), "valid-job");
            assertThat(log.records()).filteredOn(record -> record.getMessage().startsWith("HL-0108"))
                    .singleElement().satisfies(record -> {
                        assertThat(record.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
                        assertThat(record.getMessage()).isEqualTo("HL-0108: cluster singleton "
                                + UnnamedJob.class.getName() + " has no name of its own, so its lock is named after"
                                + " the class: renaming or moving the class changes the lock, and during a rolling"
                                + " deployment the old and the new version would both lead. Give it a name that"
                                + " outlives the class: @ClusterSingleton(\"UnnamedJob\").");
                    });
        }
    }

    private static String deploymentFailure(Class<?>... beanClasses) {
        DataSource dataSource = TestPostgres.shared().dataSource();
        return failure(() -> TestNode.start(SETTINGS, dataSource, Map.of(), beanClasses));
    }

    /** The messages of the whole cause chain (and of suppressed exceptions), one per line. */
    private static String failure(Runnable deployment) {
        Throwable thrown = catchThrowable(deployment::run);
        assertThat(thrown).as("the deployment must fail").isNotNull();
        List<String> messages = new ArrayList<>();
        collect(thrown, messages);
        return String.join("\n", messages);
    }

    private static void collect(Throwable throwable, List<String> messages) {
        for (Throwable t = throwable; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
            for (Throwable suppressed : t.getSuppressed()) {
                collect(suppressed, messages);
            }
            if (t.getCause() == t) {
                break;
            }
        }
    }

    @ApplicationScoped
    @ClusterSingleton("valid-job")
    static class ValidJob {
    }

    @ApplicationScoped
    @ClusterSingleton
    static class UnnamedJob {
    }

    @Dependent
    @ClusterSingleton
    static class DependentJob {
    }

    @RequestScoped
    @ClusterSingleton
    static class RequestScopedJob {
    }

    @ClusterSingleton
    static class UnscopedJob {
    }

    @ApplicationScoped
    @ClusterSingleton
    abstract static class AbstractJob {
    }

    @ApplicationScoped
    @ClusterSingleton(" ")
    static class BlankNameJob {
    }

    @ApplicationScoped
    @ClusterSingleton("nightly")
    static class NightlyA {
    }

    @ApplicationScoped
    @ClusterSingleton("nightly")
    static class NightlyB {
    }

    @ApplicationScoped
    @ClusterSingleton("job-45873")
    static class CollidingA {
    }

    @ApplicationScoped
    @ClusterSingleton("job-52859")
    static class CollidingB {
    }

    @ApplicationScoped
    @ClusterSingleton("report")
    static class Report {
    }

    static class ReportWithFooter extends Report {
    }

    @jakarta.enterprise.inject.Specializes
    static class SpecializedReport extends Report {
    }

    @ApplicationScoped
    @ClusterSingleton("weekly-report")
    static class WeeklyReport extends Report {
    }

    @ClusterSingleton
    interface SingletonInterface {
    }

    static class SecondDataSource {
        @jakarta.enterprise.inject.Produces
        @HighlanderDataSource
        DataSource second() {
            return TestPostgres.shared().dataSource();
        }
    }

    static class SecondSettings {
        @jakarta.enterprise.inject.Produces
        HighlanderSettings second() {
            return HighlanderSettings.builder().nodeId("b").build();
        }
    }

    interface Job {
        void run();
    }

    @ApplicationScoped
    static class PlainJob implements Job {
        @Override
        public void run() {
        }
    }

    @Decorator
    @Priority(1)
    @ClusterSingleton
    abstract static class JobDecorator implements Job {
        @Inject
        @Delegate
        Job delegate;
    }
}
