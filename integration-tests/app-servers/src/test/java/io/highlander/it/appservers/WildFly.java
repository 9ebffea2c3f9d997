package io.highlander.it.appservers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * WildFly from {@code org.wildfly:wildfly-dist}. The unpacked distribution stays pristine; the test copies
 * it once and runs the example's {@code highlander-datasource.cli} on the copy (driver module plus
 * DataSource). Each instance gets its own {@code jboss.server.base.dir} (a copy of {@code standalone/})
 * and a port offset. Without the driver, an instance runs on the pristine distribution with the configured
 * {@code standalone.xml}: the DataSource then names a driver module the server does not have.
 */
final class WildFly extends AppServer {

    private static final Set<Integer> OFFSETS = ConcurrentHashMap.newKeySet();
    private static final int[] PORTS = {8080, 8443, 9990, 9993, 4712, 4713};

    private final Path pristine;
    private final Path home;
    /** Further CLI scripts run on the copy after the example's, and options every instance starts with. */
    private final List<Path> scripts;
    private final List<String> options;
    private final Map<String, Integer> managementPorts = new ConcurrentHashMap<>();
    private boolean configured;

    /** WildFly, the Jakarta EE 10 distribution. */
    WildFly() throws IOException {
        this("wildfly", "wildfly-[0-9]*", List.of(), List.of());
    }

    private WildFly(String directory, String distribution, List<Path> scripts, List<String> options)
            throws IOException {
        super(directory);
        pristine = only(servers, distribution);
        home = work.resolve("home");
        this.scripts = scripts;
        this.options = options;
    }

    /** @return WildFly Preview ({@code org.wildfly:wildfly-preview-dist}), the same release on Jakarta EE 11 */
    static WildFly preview() throws IOException {
        return new WildFly("wildfly-preview", "wildfly-preview-[0-9]*", List.of(), List.of());
    }

    /**
     * @return WildFly with its Micrometer subsystem and a Prometheus registry on the management interface
     *         ({@code /prometheus}, see {@code wildfly/micrometer-prometheus.cli}); that registry is of WildFly's
     *         community stability level, so the servers start with {@code --stability=community}
     */
    static WildFly withMicrometer() throws IOException {
        return new WildFly("wildfly-micrometer", "wildfly-[0-9]*", List.of(resource("wildfly/micrometer-prometheus.cli")),
                List.of("--stability=community"));
    }

    /**
     * @param instance an instance this server made
     * @return the loopback port of its management interface
     */
    int managementPort(ServerInstance instance) {
        return managementPorts.get(instance.name());
    }

    private static Path resource(String name) {
        try {
            return Path.of(WildFly.class.getClassLoader().getResource(name).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no test resource " + name, e);
        }
    }

    @Override
    String product() {
        return pristine.getFileName().toString().startsWith("wildfly-preview-") ? "WildFly Preview" : "WildFly";
    }

    @Override
    String version() {
        String directory = pristine.getFileName().toString();
        return directory.substring(directory.lastIndexOf('-') + 1);
    }

    @Override
    Optional<String> withoutScheduledAsynchronousMethods() throws IOException {
        Path api = only(pristine.resolve("modules/system/layers/base/jakarta/enterprise/concurrent/api/main"),
                "jakarta.enterprise.concurrent-api-*.jar");
        String file = api.getFileName().toString();
        return file.startsWith("jakarta.enterprise.concurrent-api-3.0.")
                ? Optional.of(this + " ships Jakarta Concurrency 3.0 (" + file + ", Jakarta EE 10); scheduled "
                        + "asynchronous methods are Concurrency 3.1 (Jakarta EE 11), which WildFly Preview "
                        + version() + " has")
                : Optional.empty();
    }

    @Override
    String jndiName() {
        return "java:jboss/datasources/HighlanderDS";
    }

    @Override
    String missingDriverSymptom() {
        return "WFLYJCA0115: Module for driver [org.postgresql] or one of it dependencies is missing";
    }

    @Override
    Optional<String> builtInDataSource() {
        return Optional.of("java:jboss/datasources/ExampleDS");
    }

    private synchronized void configure() throws IOException, InterruptedException {
        if (configured) {
            return;
        }
        deleteTree(work);
        Files.createDirectories(work);
        run(List.of("cp", "-a", pristine.toString(), home.toString()), Map.of(), work.resolve("copy.log"));
        Path driver = only(servers, "postgresql-*.jar");
        run(List.of(home.resolve("bin/jboss-cli.sh").toString(),
                        "--file=" + example.resolve("server-config/wildfly/highlander-datasource.cli"),
                        "-Dpostgresql.jar=" + driver),
                Map.of("JAVA_HOME", javaHome.toString()), work.resolve("cli.log"));
        for (Path script : scripts) {
            run(List.of(home.resolve("bin/jboss-cli.sh").toString(), "--file=" + script),
                    Map.of("JAVA_HOME", javaHome.toString()), work.resolve(script.getFileName() + ".log"));
        }
        configured = true;
    }

    @Override
    ServerInstance instance(String name, Node node, Path application) throws IOException, InterruptedException {
        configure();
        Path base = work.resolve(name);
        deleteTree(base);
        copyTree(home.resolve("standalone"), base);
        Files.copy(application, base.resolve("deployments").resolve(application.getFileName()));
        int offset = freeOffset();
        List<String> command = new ArrayList<>(List.of(
                (node.driverInstalled() ? home : pristine).resolve("bin/standalone.sh").toString(),
                "-b=127.0.0.1", "-bmanagement=127.0.0.1",
                "-Djboss.server.base.dir=" + base,
                "-Djboss.socket.binding.port-offset=" + offset));
        command.addAll(options);
        command.addAll(highlanderProperties(node));
        managementPorts.put(name, 9990 + offset);
        Map<String, String> environment = new java.util.HashMap<>(databaseEnvironment(node.database()));
        environment.put("JAVA_HOME", javaHome.toString());
        return new ServerInstance(name, new ServerInstance.Launch(command, environment, base,
                base.resolve("console.log"), List.of(base.resolve("log/server.log")),
                Pattern.compile("WFLYSRV0025|WFLYSRV0026"), 8080 + offset, List.of()));
    }

    /** An offset that moves all of WildFly's ports onto free ones, distinct from other instances'. */
    private static int freeOffset() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int offset = randomBetween(200, 400) * 100;
            if (OFFSETS.contains(offset)) {
                continue;
            }
            boolean free = true;
            for (int port : PORTS) {
                free &= portFree(port + offset);
            }
            if (free && OFFSETS.add(offset)) {
                return offset;
            }
        }
        throw new IllegalStateException("no free port offset for WildFly");
    }
}
