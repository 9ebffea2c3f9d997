package io.highlander.cdi.internal.management;

/**
 * The JMX view of one node, registered as {@code io.highlander:type=Node,node="<node id>"} on the platform
 * MBean server while the application runs. Attributes and operations mirror
 * {@link io.highlander.cdi.LeaderElector}.
 */
public interface NodeMXBean {

    /** @return this node's id */
    String getNodeId();

    /** @return one line per singleton: name, state, leader, fencing token, since, restarts */
    String[] getStatus();

    /** @return the names of the singletons this node leads now */
    String[] getLeading();

    /**
     * Gives up leadership of a singleton now and competes again at once.
     *
     * @param singleton the singleton's name
     */
    void stepDown(String singleton);

    /**
     * Gives up leadership of a singleton and stays out of its election for a while.
     *
     * @param singleton      the singleton's name
     * @param holdOffSeconds how long to stay out
     */
    void stepDownFor(String singleton, long holdOffSeconds);
}
