package io.highlander.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.highlander.cdi.ClusterSingleton;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import org.jboss.weld.environment.se.Weld;
import org.junit.jupiter.api.Test;

/**
 * What a Weld SE user sees of a misconfiguration: the message of what {@code initialize()} throws is the catalogued
 * lines, one per problem, all at once, so that {@code TickerApp} prints it as it is.
 */
class TickerAppTest {

    @Test
    void definitionErrorsAreTheMessageOneLineEach() {
        Throwable thrown = catchThrowable(() -> new Weld("bad-definitions").disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addExtension(new io.highlander.cdi.internal.HighlanderExtension()) // found by discovery in an application
                .addBeanClasses(DependentJob.class, SameName.class, SameNameToo.class).initialize());

        assertThat(thrown).isNotNull();
        assertThat(thrown.getMessage().lines()).containsExactlyInAnyOrder(
                "HL-0101: @ClusterSingleton bean " + DependentJob.class.getName() + " must be @ApplicationScoped but is"
                        + " @Dependent; add @ApplicationScoped to the class.",
                "HL-0105: the cluster singleton name 'same' is used by " + SameName.class.getName() + " and "
                        + SameNameToo.class.getName() + "; each singleton needs its own name, change"
                        + " @ClusterSingleton(\"...\") on one of them.",
                "HL-0301: no DataSource for the cluster singletons' locks; produce a DataSource bean with"
                        + " @HighlanderDataSource, or set highlander.datasource.jndi to a JNDI name, or set"
                        + " highlander.datasource.url (with .user and .password) to a jdbc:postgresql: URL.");
    }

    @Test
    void aDeploymentProblemIsTheMessage() {
        Throwable thrown = catchThrowable(() -> new Weld("no-datasource").disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addExtension(new io.highlander.cdi.internal.HighlanderExtension()) // found by discovery in an application
                .addBeanClasses(SameName.class).initialize());

        assertThat(thrown.getMessage()).isEqualTo("HL-0301: no DataSource for the cluster singletons'"
                + " locks; produce a DataSource bean with @HighlanderDataSource, or set highlander.datasource.jndi to a"
                + " JNDI name, or set highlander.datasource.url (with .user and .password) to a jdbc:postgresql: URL.");
    }

    @Dependent
    @ClusterSingleton("dependent-job")
    static class DependentJob {
    }

    @ApplicationScoped
    @ClusterSingleton("same")
    static class SameName {
    }

    @ApplicationScoped
    @ClusterSingleton("same")
    static class SameNameToo {
    }
}
