package io.highlander.cdi.internal.election;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.SingletonStatus;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.context.ClusterSingletonContext;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.internal.datasource.PoolStarvationProbe;
import io.highlander.cdi.internal.events.LeadershipNotifier;
import io.highlander.cdi.internal.management.NodeManagement;
import io.highlander.cdi.internal.metrics.ElectionProbe;
import io.highlander.cdi.internal.threads.LifecyclePool;
import io.highlander.cdi.internal.threads.LifecycleThreads;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * All elections of this node (one per singleton), started and stopped together; also the
 * {@link LeaderElector} the application injects.
 */
public final class Elections implements LeaderElector {

    private final String nodeId;
    private final Map<String, Election> byName = new TreeMap<>();
    private final ScheduledExecutorService watchdog;
    private final ConnectionSource connections;
    private final LifecycleThreads threads;
    /** Every singleton's user code and aborts, on threads shared by all of this node's singletons. */
    private final LifecyclePool lifecycle;
    private final NodeSession node;
    private NodeManagement management;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param settings    this node's settings
     * @param connections where lock connections come from
     * @param singletons  each election's name and its singleton's bean, or {@code null} for a bean-less election
                           (a {@code @LeaderOnly} name without a singleton)
     * @param context     the context the singletons live in
     * @param beanManager the application's bean manager
     * @param threads     where threads come from
     */
    public Elections(HighlanderSettings settings, ConnectionSource connections, Map<String, Bean<?>> singletons,
                     ClusterSingletonContext context, BeanManager beanManager, LifecycleThreads threads) {
        this.nodeId = settings.nodeId();
        this.watchdog = threads.scheduler("highlander-lease-watchdog");
        this.connections = connections;
        this.threads = threads;
        this.lifecycle = new LifecyclePool(threads, watchdog);
        this.node = new NodeSession(settings, connections, threads, Scheduler.of(watchdog));
        LeadershipNotifier notifier = new LeadershipNotifier(beanManager);
        singletons.forEach((name, bean) -> byName.put(name, new Election(name, bean, settings, connections, context,
                notifier, beanManager, lifecycle, watchdog, node.loop())));
    }

    /** @param probe told what the node session sees, for the meters; before {@link #start()} */
    public void probeWith(ElectionProbe probe) {
        node.loop().probeWith(probe);
        probe.connections(node::heldConnections);
    }

    /** Starts every election; idempotent. */
    public void start() {
        if (started.compareAndSet(false, true)) {
            if (!byName.isEmpty()) {
                node.start();
            }
            management = NodeManagement.register(this);
            if (!byName.isEmpty()) {
                PoolStarvationProbe.start(connections, node::heldConnections, node.loop()::sessionOpen, Duration.ofSeconds(5),
                        threads);
            }
        }
    }

    /**
     * Any thread: the container began to shut down, and {@link #close()} will follow. Nothing stops here; the node's
     * lock thread is only woken ahead, so that the hand-over does not wait for it after {@code @PreDestroy}.
     */
    public void stopExpected() {
        if (started.get() && !closed.get() && !byName.isEmpty()) {
            node.stopExpected();
        }
    }

    /**
     * Any thread, once the node runs: links what a graceful stop of this node needs and has not needed yet, so that
     * the first stop of the JVM does not link it while the hand-over waits (issue 22). Changes nothing.
     */
    public void warmStop() {
        for (Election election : byName.values()) {
            election.warmStop();
        }
    }

    /** Ends every election at once (leaders hand over), then waits for all of them; idempotent. */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (Election election : byName.values()) { // no method reference: one less class to link while stopping
                election.requestClose();
            }
            for (Election election : byName.values()) {
                election.awaitClosed();
            }
            watchdog.shutdownNow();
            lifecycle.shutdown();
            if (management != null) {
                management.unregister();
            }
        }
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public boolean isLeader(String singleton) {
        return election(singleton).isLeader();
    }

    @Override
    public long checkLeadership(String singleton) {
        return election(singleton).checkLeadership();
    }

    @Override
    public Optional<String> leader(String singleton) {
        return election(singleton).leader();
    }

    @Override
    public void reportFailure(String singleton, Throwable cause) {
        election(singleton).reportFailure(cause);
    }

    @Override
    public List<SingletonStatus> status() {
        List<SingletonStatus> all = new ArrayList<>();
        byName.values().forEach(election -> all.add(election.status()));
        return List.copyOf(all);
    }

    @Override
    public SingletonStatus status(String singleton) {
        return election(singleton).status();
    }

    @Override
    public void stepDown(String singleton, Duration holdOff) {
        Objects.requireNonNull(holdOff, "holdOff");
        if (holdOff.isNegative()) {
            throw new IllegalArgumentException("holdOff must not be negative: " + holdOff);
        }
        election(singleton).stepDown(holdOff);
    }

    /**
     * @param name an election's name
     * @return whether a {@code @LeaderOnly} call may run now; counts and logs a skip
     */
    public boolean admitLeaderOnly(String name) {
        return election(name).admitLeaderOnly();
    }

    /**
     * @param name  an election's name
     * @param bound whether the view stays with the term running now (for a singleton's instance, made in that
     *              term) rather than following the election
     * @return a view of the election's term
     */
    public Leadership leadership(String name, boolean bound) {
        return election(name).leadership(bound);
    }

    /** @return where this node's connections come from: the elections' database, which the fence needs */
    public ConnectionSource connections() {
        return connections;
    }

    @Override
    public String toString() {
        return "LeaderElector[node " + nodeId + ", " + status() + "]";
    }

    Election election(String singleton) {
        Election election = byName.get(singleton);
        if (election == null) {
            throw new IllegalArgumentException(Messages.unknownSingleton(singleton, List.copyOf(byName.keySet())));
        }
        return election;
    }
}
