package io.highlander.cdi.internal;

import jakarta.enterprise.inject.spi.DeploymentException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that keeps a node from starting, collected at once and reported as one exception whose message is the
 * list of HL lines, one per problem. Weld SE throws a single deployment problem with that message as its own, so
 * {@code SeContainerInitializer.initialize()} fails with the lines a user can act on; application servers and Quarkus
 * print the message at the top of their deployment failure. A 30-line stack trace would only bury the lines: it is
 * logged at debug level, for whoever has to look behind them.
 */
final class StartupProblems {

    private static final System.Logger LOG = System.getLogger(StartupProblems.class.getName());

    private final List<String> lines = new ArrayList<>();
    private final List<Throwable> causes = new ArrayList<>();

    /** @param line a problem, one HL line (several for a settings message, which lists each setting) */
    void add(String line) {
        lines.add(line);
    }

    /** @param failure a problem found by a check that threw; its message is the HL line, its cause a detail */
    void add(RuntimeException failure) {
        lines.add(failure.getMessage());
        if (failure.getCause() != null) {
            causes.add(failure.getCause());
        }
    }

    /** @return whether there is nothing to report */
    boolean isEmpty() {
        return lines.isEmpty();
    }

    /**
     * @return the deployment problem to hand to the container: its message is the HL lines, it has no cause and no
     *         stack trace of its own, so that printing it prints the lines
     */
    DeploymentException toException() {
        String message = String.join(System.lineSeparator(), lines);
        for (Throwable cause : causes) {
            LOG.log(System.Logger.Level.DEBUG, () -> "behind the start-up problem: " + cause, cause);
        }
        DeploymentException exception = new DeploymentException(message);
        exception.setStackTrace(new StackTraceElement[0]); // where the extension noticed it says nothing to a user
        return exception;
    }
}
