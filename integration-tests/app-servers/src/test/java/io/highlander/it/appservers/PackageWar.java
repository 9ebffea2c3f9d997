package io.highlander.it.appservers;

import io.highlander.it.appservers.fenced.Ledger;
import io.highlander.it.appservers.misconfigured.DependentJob;
import io.highlander.it.appservers.runonce.Report;
import io.highlander.it.appservers.scheduled.EverySecond;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Packs a small application of this module's tests into a WAR: the compiled classes of one package (the package of
 * the class given) and the library. The applications that need no module of their own (a misconfigured one, one
 * compiled against EE 11, the {@code @RunOnce} one, the fenced JTA transaction) are built this way, so that the EE 10 example stays as it is.
 */
final class PackageWar {

    /** The WAR's file name, and so its context root on every server, of {@link #misconfigured}. */
    static final String MISCONFIGURED = "highlander-misconfigured";

    /** The WAR's file name, and so its context root on every server, of {@link #scheduled}. */
    static final String SCHEDULED = "highlander-scheduled";

    /** The WAR's file name, and so its context root on every server, of {@link #runOnce}. */
    static final String RUN_ONCE = "highlander-run-once";

    /** The WAR's file name, and so its context root on every server, of {@link #fenced}. */
    static final String FENCED = "highlander-fenced";

    private PackageWar() {
    }

    /** @return the WAR of the package {@code misconfigured}, whose deployment must fail */
    static Path misconfigured(Path servers, Path directory) throws IOException {
        return build(DependentJob.class, MISCONFIGURED, servers, directory);
    }

    /**
     * @return the WAR of the package {@code scheduled}: the EE 11 application of
     *         {@link ScheduledAsynchronousOnServerIT}, compiled against {@code jakarta.jakartaee-web-api} 11
     */
    static Path scheduled(Path servers, Path directory) throws IOException {
        return build(EverySecond.class, SCHEDULED, servers, directory);
    }

    /** @return the WAR of the package {@code runonce}, the application of {@link PayaraMicroRunOnceIT} */
    static Path runOnce(Path servers, Path directory) throws IOException {
        return build(Report.class, RUN_ONCE, servers, directory);
    }

    /** @return the WAR of the package {@code fenced}, the application of {@link FencedTransactionOnServerIT} */
    static Path fenced(Path servers, Path directory) throws IOException {
        return build(Ledger.class, FENCED, servers, directory);
    }

    /**
     * @param anchor    a class of the package to pack
     * @param name      the WAR's file name without {@code .war}
     * @param servers   where the build copied {@code highlander-cdi.jar}
     * @param directory where to write the WAR
     * @return the WAR
     */
    private static Path build(Class<?> anchor, String name, Path servers, Path directory) throws IOException {
        String packagePath = anchor.getPackageName().replace('.', '/');
        Path war = directory.resolve(name + ".war");
        Files.createDirectories(directory);
        try (OutputStream file = Files.newOutputStream(war); ZipOutputStream zip = new ZipOutputStream(file);
                Stream<Path> compiled = Files.list(classesRoot(anchor).resolve(packagePath))) {
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

    private static Path classesRoot(Class<?> anchor) {
        try {
            return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
