package io.highlander.it.appservers.misconfigured;

import io.highlander.cdi.ClusterSingleton;
import jakarta.enterprise.context.Dependent;

/** A cluster singleton in the wrong scope (HL-0101): every injection would make an instance of its own. */
@Dependent
@ClusterSingleton("job")
public class DependentJob {
}
