package io.highlander.benchmarks;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.HighlanderExtension;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of a call through CDI to the same trivial method: on a plain {@code @ApplicationScoped} bean, and
 * on a {@code @ClusterSingleton} bean on the node that leads it; and the cost of {@code isLeader}. One Weld SE
 * container in the fork, its lock held on the PostgreSQL named by {@code highlander.datasource.url}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallOverheadBenchmark {

    static final String NAME = "jmh-counter";

    private WeldContainer container;
    private PlainCounter plain;
    private LeaderCounter singleton;
    private LeaderElector elector;
    private int notLeaderAfterIsLeader;

    @Setup(Level.Trial)
    public void start() throws InterruptedException {
        container = new Weld("jmh-node").disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(PlainCounter.class, LeaderCounter.class)
                .addExtension(new HighlanderExtension())
                .initialize();
        plain = container.select(PlainCounter.class).get();
        singleton = container.select(LeaderCounter.class).get();
        elector = container.select(LeaderElector.class).get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                // isLeader() turns true before the context serves the bean (the lifecycle thread opens it a
                // little later), so wait for a call that succeeds
                if (elector.isLeader(NAME)) {
                    singleton.next();
                    break;
                }
            } catch (NotLeaderException e) {
                notLeaderAfterIsLeader++;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("this node never led " + NAME);
            }
            Thread.sleep(1);
        }
        if (notLeaderAfterIsLeader > 0) {
            System.err.println("isLeader was true but the call threw NotLeaderException " + notLeaderAfterIsLeader + " times");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        container.shutdown();
    }

    @Benchmark
    public int plainApplicationScoped() {
        return plain.next();
    }

    @Benchmark
    public int clusterSingletonOnLeader() {
        return singleton.next();
    }

    @Benchmark
    public boolean isLeader() {
        return elector.isLeader(NAME);
    }

    /** A plain bean, for comparison. */
    @ApplicationScoped
    public static class PlainCounter {
        private int count;

        public int next() {
            return ++count;
        }
    }

    /** The same bean as a cluster singleton. */
    @ApplicationScoped
    @ClusterSingleton(NAME)
    public static class LeaderCounter {
        private int count;

        public int next() {
            return ++count;
        }
    }
}
