package io.highlander.cdi.internal.election;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Silences the library's logger for a test class of simulated runs: thousands of runs log thousands of expected
 * faults, and the run's history is the record there. {@code -Dsim.verbose=true} keeps the lines.
 */
final class QuietLibraryLogs implements BeforeAllCallback, AfterAllCallback {

    private static final Logger LIBRARY = Logger.getLogger("io.highlander");
    private static final ExtensionContext.Namespace SAVED = ExtensionContext.Namespace.create(QuietLibraryLogs.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Level before = LIBRARY.getLevel();
        if (before != null) {
            context.getStore(SAVED).put(Level.class, before);
        }
        if (!Boolean.getBoolean("sim.verbose")) {
            LIBRARY.setLevel(Level.OFF);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LIBRARY.setLevel(context.getStore(SAVED).get(Level.class, Level.class));
    }
}
