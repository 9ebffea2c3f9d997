package io.highlander.cdi.internal.health;

/** Whether the application has the MicroProfile Health API, without touching {@link HealthChecks} otherwise. */
public final class HealthSupport {

    private HealthSupport() {
    }

    /** @return whether the health checks can be registered */
    public static boolean available() {
        try {
            Class.forName("org.eclipse.microprofile.health.HealthCheck", false, HealthSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
