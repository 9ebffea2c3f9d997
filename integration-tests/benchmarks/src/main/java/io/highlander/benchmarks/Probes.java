package io.highlander.benchmarks;

import io.highlander.cdi.ClusterSingleton;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The benchmark's cluster singletons: fifty classes, one per lock, that print a time stamp as the first
 * thing their {@code @PostConstruct} does ({@code UP <name> <epochMicros>}), as their {@code @PreDestroy}
 * starts ({@code DOWN <name> <epochMicros>}) and as it ends ({@code GONE <name> <epochMicros>}): from a new
 * leader's {@code UP} to the old instance's {@code GONE} two instances exist at once (the overlap).
 */
final class Probes {

    static final List<Class<? extends Probe>> ALL = List.of(
            S00.class, S01.class, S02.class, S03.class, S04.class, S05.class, S06.class, S07.class, S08.class,
            S09.class, S10.class, S11.class, S12.class, S13.class, S14.class, S15.class, S16.class, S17.class,
            S18.class, S19.class, S20.class, S21.class, S22.class, S23.class, S24.class, S25.class, S26.class,
            S27.class, S28.class, S29.class, S30.class, S31.class, S32.class, S33.class, S34.class, S35.class,
            S36.class, S37.class, S38.class, S39.class, S40.class, S41.class, S42.class, S43.class, S44.class,
            S45.class, S46.class, S47.class, S48.class, S49.class);

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
            System.out.println("GONE " + name() + " " + Clock.micros()); // the last thing it does: the instance is gone
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
    @ApplicationScoped @ClusterSingleton("s10") static class S10 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s11") static class S11 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s12") static class S12 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s13") static class S13 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s14") static class S14 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s15") static class S15 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s16") static class S16 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s17") static class S17 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s18") static class S18 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s19") static class S19 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s20") static class S20 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s21") static class S21 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s22") static class S22 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s23") static class S23 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s24") static class S24 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s25") static class S25 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s26") static class S26 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s27") static class S27 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s28") static class S28 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s29") static class S29 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s30") static class S30 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s31") static class S31 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s32") static class S32 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s33") static class S33 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s34") static class S34 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s35") static class S35 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s36") static class S36 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s37") static class S37 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s38") static class S38 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s39") static class S39 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s40") static class S40 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s41") static class S41 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s42") static class S42 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s43") static class S43 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s44") static class S44 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s45") static class S45 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s46") static class S46 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s47") static class S47 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s48") static class S48 extends Probe { }
    @ApplicationScoped @ClusterSingleton("s49") static class S49 extends Probe { }
}
