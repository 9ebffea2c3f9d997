package io.highlander.cdi.internal.management;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.SingletonStatus;
import io.highlander.cdi.internal.Messages;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers a node's {@link NodeMXBean} and removes it again. JMX is a convenience: when the platform
 * MBean server refuses (a security manager, a name already taken by another node in this JVM), the node
 * runs on and says so once in the log.
 */
public final class NodeManagement implements NodeMXBean {

    private static final System.Logger LOG = System.getLogger(NodeManagement.class.getName());

    private final LeaderElector elector;
    private ObjectName name;

    private NodeManagement(LeaderElector elector) {
        this.elector = elector;
    }

    /**
     * @param elector the node's elector
     * @return the registration, to {@link #unregister()} on shutdown
     */
    public static NodeManagement register(LeaderElector elector) {
        NodeManagement management = new NodeManagement(elector);
        try {
            ObjectName name = objectName(elector.nodeId());
            ManagementFactory.getPlatformMBeanServer().registerMBean(management, name);
            management.name = name;
        } catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, () -> Messages.noJmxView(elector.nodeId(), e.toString()));
        }
        return management;
    }

    /**
     * @param nodeId a node's id
     * @return the name its MBean is registered under
     * @throws JMException if the id makes no valid name
     */
    public static ObjectName objectName(String nodeId) throws JMException {
        return new ObjectName("io.highlander:type=Node,node=" + ObjectName.quote(nodeId));
    }

    /** Removes the MBean; idempotent. */
    public void unregister() {
        ObjectName registered = name;
        name = null;
        if (registered != null) {
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                server.unregisterMBean(registered);
            } catch (JMException | RuntimeException e) {
                // already gone
            }
        }
    }

    @Override
    public String getNodeId() {
        return elector.nodeId();
    }

    @Override
    public String[] getStatus() {
        return elector.status().stream().map(SingletonStatus::toString).toArray(String[]::new);
    }

    @Override
    public String[] getLeading() {
        return elector.status().stream().filter(SingletonStatus::leading).map(SingletonStatus::singleton)
                .toArray(String[]::new);
    }

    @Override
    public void stepDown(String singleton) {
        elector.stepDown(singleton);
    }

    @Override
    public void stepDownFor(String singleton, long holdOffSeconds) {
        elector.stepDown(singleton, Duration.ofSeconds(holdOffSeconds));
    }
}
