package io.highlander.it.appservers;

import io.highlander.it.appservers.runonce.Report;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Packs the application of {@link PayaraMicroRunOnceIT} (the classes of the package {@code runonce}, compiled with
 * this module's tests) and the library into {@code highlander-run-once.war}, as {@link ScheduledAsynchronousWar}
 * does for its own package.
 */
final class RunOnceWar {

    private RunOnceWar() {
    }

    /**
     * @param servers   where the build copied {@code highlander-cdi.jar}
     * @param directory where to write the WAR
     * @return the WAR
     */
    static Path build(Path servers, Path directory) throws IOException {
        Path classes;
        try {
            classes = Path.of(Report.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String packagePath = Report.class.getPackageName().replace('.', '/');
        Path war = directory.resolve("highlander-run-once.war");
        Files.createDirectories(directory);
        try (OutputStream file = Files.newOutputStream(war); ZipOutputStream zip = new ZipOutputStream(file);
                Stream<Path> compiled = Files.list(classes.resolve(packagePath))) {
            for (Path type : compiled.filter(path -> path.toString().endsWith(".class")).sorted().toList()) {
                add(zip, "WEB-INF/classes/" + packagePath + "/" + type.getFileName(), type);
            }
            add(zip, "WEB-INF/lib/highlander-cdi.jar", AppServer.only(servers, "highlander-cdi.jar"));
        }
        return war;
    }

    private static void add(ZipOutputStream zip, String name, Path content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        Files.copy(content, zip);
        zip.closeEntry();
    }
}
