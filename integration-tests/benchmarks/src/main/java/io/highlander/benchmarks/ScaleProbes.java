package io.highlander.benchmarks;

import io.highlander.cdi.testing.SingletonClassFile;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;

/**
 * The large scale part's singleton classes, made at run time ({@link SingletonClassFile}): a thousand hand-written
 * classes would be noise in the sources. Class {@code i} is {@code io.highlander.benchmarks.ScaleProbe<i>}, a
 * subclass of {@link ScaleProbe} annotated {@code @ApplicationScoped @ClusterSingleton("l<i>")}: in Java, {@code @ApplicationScoped @ClusterSingleton("l0007")
 * class ScaleProbe7 extends ScaleProbe { }}. Defined once per JVM in this package's class loader, so every Weld
 * container of the JVM shares them.
 */
final class ScaleProbes {

    private static final List<Class<?>> DEFINED = new ArrayList<>();

    private ScaleProbes() {
    }

    /** @return the singleton name of class {@code index} */
    static String name(int index) {
        return String.format("l%04d", index);
    }

    /** @return the first {@code count} classes, defining those not defined yet */
    static synchronized List<Class<?>> first(int count) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        while (DEFINED.size() < count) {
            int index = DEFINED.size();
            DEFINED.add(SingletonClassFile.define(lookup, "ScaleProbe" + index, ScaleProbe.class, name(index)));
        }
        return List.copyOf(DEFINED.subList(0, count));
    }
}
