package io.highlander.cdi.internal.sim;

import java.util.List;

/**
 * The nodes of a run as the {@link FaultInjector} sees them; the harness that builds nodes from the real code
 * implements it.
 */
public interface SimCluster {

    /** @return the node names, fixed for the run */
    List<String> nodes();

    /** @return the node's current process */
    SimProcess process(String node);

    /** kill -9 of the node's JVM ({@code hostAlive}: its kernel sends FINs; else its host vanished). */
    void kill(String node, boolean hostAlive);

    /** Starts the node again after a kill: a new JVM, a new node, the same name. */
    void restart(String node);

    /** @return the backend pids of the node's open sessions, the node session first (empty if none) */
    List<Integer> sessions(String node);

    /** @return the node's open connections */
    List<SimLink> links(String node);

    /** @return payloads a forger sends on the channel (a rogue role can NOTIFY anything: PG-SEMANTICS §10) */
    List<String> forgeries(java.util.SplittableRandom random);

    /** Has the node step down from one singleton it leads; @return which, or null if it leads none */
    String stepDown(String node, java.util.SplittableRandom random);

    /** @return the channel the nodes listen on */
    String channel();
}
