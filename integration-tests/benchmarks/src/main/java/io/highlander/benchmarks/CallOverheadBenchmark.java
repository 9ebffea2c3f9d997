package io.highlander.benchmarks;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeaderOnly;
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
 * The cost of a call through CDI to the same trivial method: on a plain {@code @ApplicationScoped} bean, on a
 * {@code @ClusterSingleton} bean on the node that leads it, and through {@code @LeaderOnly} on the leader and on a
 * standby (where the call is skipped); and the cost of {@code isLeader}. One Weld SE container in the fork, its
 * lock held on the PostgreSQL named by {@code highlander.datasource.url}; a second container in the fork (a rival
 * node) leads the election {@value #STANDBY} first, so that the first one is its standby.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallOverheadBenchmark {

    static final String NAME = "jmh-counter";
    /** An election the measured node does not lead. */
    static final String STANDBY = "jmh-standby";

    private WeldContainer rival;
    private WeldContainer container;
    private LeaderOnlyCounter leaderOnly;
    private StandbyWork standby;
    private PlainCounter plain;
    private InterceptedCounter intercepted;
    private LeaderCounter singleton;
    private LeaderElector elector;
    private int notLeaderAfterIsLeader;

    @Setup(Level.Trial)
    public void start() throws InterruptedException {
        rival = new Weld("jmh-rival").disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(StandbyWork.class)
                .addExtension(new HighlanderExtension())
                .initialize();
        LeaderElector rivalElector = rival.select(LeaderElector.class).get();
        long rivalDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!rivalElector.isLeader(STANDBY)) {
            if (System.nanoTime() > rivalDeadline) {
                throw new IllegalStateException("the rival never led " + STANDBY);
            }
            Thread.sleep(1);
        }
        container = new Weld("jmh-node").disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(PlainCounter.class, LeaderCounter.class, LeaderOnlyCounter.class, StandbyWork.class,
                        InterceptedCounter.class, PassThrough.class)
                .addExtension(new HighlanderExtension())
                .initialize();
        leaderOnly = container.select(LeaderOnlyCounter.class).get();
        standby = container.select(StandbyWork.class).get();
        plain = container.select(PlainCounter.class).get();
        intercepted = container.select(InterceptedCounter.class).get();
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
        if (elector.isLeader(STANDBY)) {
            throw new IllegalStateException("the measured node leads " + STANDBY + ": no skip to measure");
        }
        if (notLeaderAfterIsLeader > 0) {
            System.err.println("isLeader was true but the call threw NotLeaderException " + notLeaderAfterIsLeader + " times");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        container.shutdown();
        rival.shutdown();
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

    @Benchmark
    public int leaderOnlyOnLeader() {
        return leaderOnly.next();
    }

    @Benchmark
    public int interceptedByANoOp() {
        return intercepted.next();
    }

    @Benchmark
    public void leaderOnlySkippedOnStandby() {
        standby.work();
    }

    /** The plain bean's method, run only on the leader of the singleton {@value #NAME}. */
    @ApplicationScoped
    public static class LeaderOnlyCounter {
        private int count;

        @LeaderOnly(NAME)
        public int next() {
            return ++count;
        }
    }

    /** Work under an election the measured node does not lead: every call is skipped (and counted). */
    @ApplicationScoped
    public static class StandbyWork {
        private int count;

        @LeaderOnly(STANDBY)
        public void work() {
            count++;
        }
    }

    /** Binds {@link PassThrough}: what any interceptor costs in this container, whatever it does. */
    @jakarta.interceptor.InterceptorBinding
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target({java.lang.annotation.ElementType.METHOD, java.lang.annotation.ElementType.TYPE})
    public @interface Measured {
    }

    /** An interceptor that only proceeds: the floor of {@code @LeaderOnly}'s cost. */
    @Measured
    @jakarta.interceptor.Interceptor
    @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION)
    public static class PassThrough {
        @jakarta.interceptor.AroundInvoke
        public Object proceed(jakarta.interceptor.InvocationContext call) throws Exception {
            return call.proceed();
        }
    }

    /** The plain bean's method behind an interceptor that does nothing. */
    @ApplicationScoped
    public static class InterceptedCounter {
        private int count;

        @Measured
        public int next() {
            return ++count;
        }
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
