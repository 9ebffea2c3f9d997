package io.highlander.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API is everything outside {@code io.highlander.cdi.internal} (which carries no compatibility promise):
 * so no public or protected signature of it may show an internal type, or a user would depend on one without
 * knowing. And every class of the library must load on Java 17.
 */
class PublicApiTest {

    private static final String INTERNAL = "io.highlander.cdi.internal";
    /** Class file major version of Java 17. */
    private static final int JAVA_17 = 61;

    @Test
    void noPublicSignatureShowsAnInternalType() throws Exception {
        List<Class<?>> api = apiTypes();
        assertThat(api).as("the public API").contains(ClusterSingleton.class, LeaderElector.class,
                HighlanderSettings.class, HighlanderSettings.Builder.class, RunOnce.class);

        TreeSet<String> leaks = new TreeSet<>();
        for (Class<?> type : api) {
            check(type.getName() + " extends", type.getGenericSuperclass(), leaks);
            for (Type implemented : type.getGenericInterfaces()) {
                check(type.getName() + " implements", implemented, leaks);
            }
            annotations(type.getName(), type, leaks);
            for (Field field : type.getDeclaredFields()) {
                if (visible(field)) {
                    check(where(field), field.getGenericType(), leaks);
                    annotations(where(field), field, leaks);
                }
            }
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                if (visible(constructor)) {
                    executable(constructor, leaks);
                }
            }
            for (Method method : type.getDeclaredMethods()) {
                if (visible(method) && !method.isSynthetic() && !method.isBridge()) {
                    check(where(method) + " returns", method.getGenericReturnType(), leaks);
                    executable(method, leaks);
                }
            }
        }
        assertThat(leaks).as("internal types in the public API").isEmpty();
    }

    @Test
    void everyClassOfTheLibraryLoadsOnJava17() throws Exception {
        TreeSet<String> newer = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classesRoot())) {
            for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
                    data.readInt(); // 0xCAFEBABE
                    data.readUnsignedShort(); // minor
                    int major = data.readUnsignedShort();
                    if (major > JAVA_17) {
                        newer.add(file + ": " + major);
                    }
                }
            }
        }
        assertThat(newer).isEmpty();
    }

    /** The public and protected types of the library outside internal, nested ones included. */
    private static List<Class<?>> apiTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = classesRoot();
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("io/highlander/cdi"))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".class")).sorted().toList()) {
                String name = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".")
                        .replaceAll("\\.class$", "");
                if (name.startsWith(INTERNAL + ".") || name.endsWith("package-info")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
                if (exported(type)) {
                    types.add(type);
                }
            }
        }
        return types;
    }

    /**
     * Where the library's main classes are: the directory {@link LeaderElector} was loaded from, or the root of its
     * jar (a reactor build past {@code package}, and other modules that run these tests, use the jar).
     */
    private static Path classesRoot() throws URISyntaxException, IOException {
        Path location = Path.of(LeaderElector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(location)) {
            return location;
        }
        FileSystem jar = JARS.computeIfAbsent(location, PublicApiTest::open);
        return jar.getPath("/");
    }

    /** The jars opened as file systems, each once: they stay open until the JVM exits, as test class paths do. */
    private static final Map<Path, FileSystem> JARS = new ConcurrentHashMap<>();

    private static FileSystem open(Path jar) {
        try {
            return FileSystems.newFileSystem(jar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean exported(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (t.isAnonymousClass() || t.isLocalClass()
                    || !(Modifier.isPublic(t.getModifiers()) || Modifier.isProtected(t.getModifiers()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(Member member) {
        return Modifier.isPublic(member.getModifiers()) || Modifier.isProtected(member.getModifiers());
    }

    private static void executable(Executable executable, TreeSet<String> leaks) {
        for (Type parameter : executable.getGenericParameterTypes()) {
            check(where(executable) + " takes", parameter, leaks);
        }
        for (Type thrown : executable.getGenericExceptionTypes()) {
            check(where(executable) + " throws", thrown, leaks);
        }
        annotations(where(executable), executable, leaks);
    }

    private static void annotations(String where, AnnotatedElement element, TreeSet<String> leaks) {
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            check(where + " is annotated", annotation.annotationType(), leaks);
        }
    }

    private static String where(Member member) {
        return member.getDeclaringClass().getName() + "." + member.getName();
    }

    private static void check(String where, Type type, TreeSet<String> leaks) {
        if (type instanceof Class<?> c) {
            Class<?> component = c;
            while (component.isArray()) {
                component = component.getComponentType();
            }
            if (component.getName().startsWith(INTERNAL + ".")) {
                leaks.add(where + " " + component.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            check(where, p.getRawType(), leaks);
            for (Type argument : p.getActualTypeArguments()) {
                check(where, argument, leaks);
            }
        } else if (type instanceof GenericArrayType array) {
            check(where, array.getGenericComponentType(), leaks);
        } else if (type instanceof WildcardType wildcard) {
            for (Type bound : wildcard.getUpperBounds()) {
                check(where, bound, leaks);
            }
            for (Type bound : wildcard.getLowerBounds()) {
                check(where, bound, leaks);
            }
        } else if (type instanceof TypeVariable<?> variable) {
            // only the bounds' raw types: a bound may name the variable itself (T extends Comparable<T>)
            for (Type bound : variable.getBounds()) {
                check(where, bound instanceof ParameterizedType p ? p.getRawType() : bound, leaks);
            }
        }
    }
}
