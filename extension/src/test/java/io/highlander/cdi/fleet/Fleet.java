package io.highlander.cdi.fleet;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.testing.History;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Ten cluster singletons, {@code fleet-0} to {@code fleet-9}: each records {@code start <name>} and
 * {@code stop <name>} in the shared {@link History}, so a test can check, singleton by singleton, that no two
 * instances ever ran at once.
 */
public final class Fleet {

    /** Every singleton of the fleet, for {@code TestCluster.start}. */
    public static final List<Class<?>> ALL = List.of(S0.class, S1.class, S2.class, S3.class, S4.class, S5.class,
            S6.class, S7.class, S8.class, S9.class);

    private Fleet() {
    }

    /** @return the names of the fleet's singletons */
    public static List<String> names() {
        return java.util.stream.IntStream.range(0, 10).mapToObj(i -> "fleet-" + i).toList();
    }

    /** What every member records. */
    public abstract static class Member {
        @Inject
        LeaderElector elector;
        @Inject
        History history;

        abstract String name();

        @PostConstruct
        void start() {
            history.add(elector.nodeId(), "start " + name(), -1);
        }

        @PreDestroy
        void stop() {
            history.add(elector.nodeId(), "stop " + name(), -1);
        }
    }

    /** Singleton 0 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-0")
    public static class S0 extends Member {
        @Override
        String name() {
            return "fleet-0";
        }
    }

    /** Singleton 1 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-1")
    public static class S1 extends Member {
        @Override
        String name() {
            return "fleet-1";
        }
    }

    /** Singleton 2 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-2")
    public static class S2 extends Member {
        @Override
        String name() {
            return "fleet-2";
        }
    }

    /** Singleton 3 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-3")
    public static class S3 extends Member {
        @Override
        String name() {
            return "fleet-3";
        }
    }

    /** Singleton 4 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-4")
    public static class S4 extends Member {
        @Override
        String name() {
            return "fleet-4";
        }
    }

    /** Singleton 5 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-5")
    public static class S5 extends Member {
        @Override
        String name() {
            return "fleet-5";
        }
    }

    /** Singleton 6 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-6")
    public static class S6 extends Member {
        @Override
        String name() {
            return "fleet-6";
        }
    }

    /** Singleton 7 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-7")
    public static class S7 extends Member {
        @Override
        String name() {
            return "fleet-7";
        }
    }

    /** Singleton 8 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-8")
    public static class S8 extends Member {
        @Override
        String name() {
            return "fleet-8";
        }
    }

    /** Singleton 9 of the fleet. */
    @ApplicationScoped
    @ClusterSingleton("fleet-9")
    public static class S9 extends Member {
        @Override
        String name() {
            return "fleet-9";
        }
    }
}
