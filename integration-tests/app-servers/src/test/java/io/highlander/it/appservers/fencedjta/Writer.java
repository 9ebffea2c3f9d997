package io.highlander.it.appservers.fencedjta;

import io.highlander.cdi.ClusterSingleton;
import jakarta.enterprise.context.ApplicationScoped;

/** The singleton whose terms fence {@link FencedServlet}'s writes; it does nothing of its own. */
@ApplicationScoped
@ClusterSingleton(Writer.NAME)
public class Writer {

    /** The singleton's name. */
    public static final String NAME = "fenced-jta";
}
