package io.highlander.benchmarks;

import io.highlander.cdi.ClusterSingleton;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The benchmark's cluster singletons: ten classes, one per lock, that print a time stamp as the first
 * thing their {@code @PostConstruct} does ({@code UP <name> <epochMicros>}) and as their {@code @PreDestroy}
 * starts ({@code DOWN <name> <epochMicros>}).
 */
final class Probes {

    static final List<Class<? extends Probe>> ALL = List.of(S00.class, S01.class, S02.class, S03.class, S04.class,
            S05.class, S06.class, S07.class, S08.class, S09.class);

    private Probes() {
    }

    static String name(int index) {
        return String.format("s%02d", index);
    }

    /** Prints when the singleton starts and stops on this node. */
    abstract static class Probe {
        @PostConstruct
        void up() {
            long now = Clock.micros();
            System.out.println("UP " + name() + " " + now);
        }

        @PreDestroy
        void down() {
            System.out.println("DOWN " + name() + " " + Clock.micros());
        }

        /** @return a trivial call, to prove the bean is callable */
        int ping() {
            return 1;
        }

        private String name() {
            for (Class<?> type = getClass(); type != null; type = type.getSuperclass()) {
                ClusterSingleton singleton = type.getAnnotation(ClusterSingleton.class);
                if (singleton != null) {
                    return singleton.value();
                }
            }
            return "?";
        }
    }

    @ApplicationScoped @ClusterSingleton("s00") static class S00 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s01") static class S01 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s02") static class S02 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s03") static class S03 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s04") static class S04 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s05") static class S05 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s06") static class S06 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s07") static class S07 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s08") static class S08 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s09") static class S09 extends Probe { }
}
