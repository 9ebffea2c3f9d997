package io.highlander.it.appservers;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Packs one package of this module's compiled tests and the library into a WAR named after it, so that a test can
 * deploy an application of its own ({@code WildFlyFencedJtaIT}'s {@code fencedjta}).
 */
final class PackageWar {

    private PackageWar() {
    }

    /**
     * @param member    a class of the package to pack
     * @param warName   the WAR's file name, e.g. {@code highlander-fenced-jta.war} (its context root without .war)
     * @param servers   where the build copied {@code highlander-cdi.jar}
     * @param directory where to write the WAR
     * @return the WAR
     */
    static Path build(Class<?> member, String warName, Path servers, Path directory) throws IOException {
        Path classes;
        try {
            classes = Path.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String packagePath = member.getPackageName().replace('.', '/');
        Path war = directory.resolve(warName);
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
