package io.highlander.it.quarkus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.highlander.cdi.ClusterSingleton;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quarkus refuses the declarations the portable extension refuses, all at once, with the same messages and ids
 * (the rules are the same code), as one error whose message is the HL lines, one per problem, as on Weld SE.
 */
class DeploymentErrorsOnQuarkusTest {

    @RegisterExtension
    static final QuarkusUnitTest QUARKUS = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(DependentJob.class, Report.class, ReportWithFooter.class,
                    OtherReport.class))
            .assertException(failure -> assertThat(messages(failure)).as("one error whose message is the HL lines")
                    .anySatisfy(message -> assertThat(message.lines()).containsExactlyInAnyOrder(
                            "HL-0101: @ClusterSingleton bean " + DependentJob.class.getName()
                                    + " must be @ApplicationScoped but is @Dependent; add @ApplicationScoped to the class.",
                            "HL-0107: bean " + ReportWithFooter.class.getName() + " extends the cluster singleton "
                                    + Report.class.getName() + " ('report') but is not a @ClusterSingleton itself, so"
                                    + " every node would run it; annotate it @ClusterSingleton with a name of its own,"
                                    + " or share the code through a base class that is not a bean.",
                            "HL-0105: the cluster singleton name 'report' is used by " + OtherReport.class.getName()
                                    + " and " + Report.class.getName() + "; each singleton needs its own name, change"
                                    + " @ClusterSingleton(\"...\") on one of them.")));

    @Test
    void theApplicationDoesNotStart() {
        fail("the deployment should have failed");
    }

    private static List<String> messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        collect(failure, messages);
        return messages;
    }

    private static void collect(Throwable failure, List<String> messages) {
        if (failure == null) {
            return;
        }
        messages.add(String.valueOf(failure.getMessage()));
        for (Throwable suppressed : failure.getSuppressed()) {
            collect(suppressed, messages);
        }
        collect(failure.getCause(), messages);
    }

    /** Not application-scoped. */
    @Dependent
    @ClusterSingleton("job")
    public static class DependentJob {
    }

    /** A singleton. */
    @ApplicationScoped
    @ClusterSingleton("report")
    public static class Report {
    }

    /**
     * A bean of its own that extends a singleton without being one. (Without a scope of its own it would not be a
     * bean at all in Quarkus, which discovers beans by the annotations a class declares.)
     */
    @ApplicationScoped
    public static class ReportWithFooter extends Report {
    }

    /** Takes a name already taken. */
    @ApplicationScoped
    @ClusterSingleton("report")
    public static class OtherReport {
    }
}
