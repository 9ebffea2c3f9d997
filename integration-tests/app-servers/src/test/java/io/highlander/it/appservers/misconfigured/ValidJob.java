package io.highlander.it.appservers.misconfigured;

import io.highlander.cdi.ClusterSingleton;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A cluster singleton declared as it should be: with it the application needs a DataSource, so the settings' mistake
 * is found together with the declaration's.
 */
@ApplicationScoped
@ClusterSingleton("valid-job")
public class ValidJob {
}
