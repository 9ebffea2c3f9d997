package io.highlander.cdi.fleet;

import io.highlander.cdi.testing.SingletonClassFile;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;

/**
 * As many cluster singletons as a test asks for, {@code many-0000} and up, made at run time ({@link SingletonClassFile}:
 * two hundred hand-written classes would be noise): class {@code i} is, in Java, {@code @ApplicationScoped @ClusterSingleton("many-000i")
 * class Numbered<i> extends Numbered { }}. Defined once per JVM in this package, so every node of a test shares them.
 */
public final class ManyFleet {

    private static final List<Class<?>> DEFINED = new ArrayList<>();

    private ManyFleet() {
    }

    /** @return the singleton name of class {@code index} */
    public static String name(int index) {
        return String.format("many-%04d", index);
    }

    /** @return the first {@code count} classes, defining those not defined yet */
    public static synchronized List<Class<?>> first(int count) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        while (DEFINED.size() < count) {
            int index = DEFINED.size();
            DEFINED.add(SingletonClassFile.define(lookup, "Numbered" + index, Numbered.class, name(index)));
        }
        return List.copyOf(DEFINED.subList(0, count));
    }
}
