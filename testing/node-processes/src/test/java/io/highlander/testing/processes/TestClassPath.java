package io.highlander.testing.processes;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Class path entries of the tests' own JVMs, found from the classes themselves (whatever Surefire's class path is). */
final class TestClassPath {

    private TestClassPath() {
    }

    /** @return the directories (or jars) holding these classes, joined into a class path */
    static String of(Class<?>... classes) {
        StringBuilder path = new StringBuilder();
        for (Class<?> type : classes) {
            try {
                Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
                path.append(path.length() == 0 ? "" : File.pathSeparator).append(location);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return path.toString();
    }

    /** @return a command for the tests' tiny node */
    static NodeCommand echo() {
        return NodeCommand.of(EchoMain.class).classPath(of(EchoMain.class)).jvmOptions("-Xmx32m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1");
    }
}
