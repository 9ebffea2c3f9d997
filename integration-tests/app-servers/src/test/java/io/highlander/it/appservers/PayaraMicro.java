package io.highlander.it.appservers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Payara Micro from {@code fish.payara.extras:payara-micro}: one JVM per instance, started with the example's
 * pre- and post-boot command files (loopback listener; JDBC pool and resource) and, when the driver is
 * installed, {@code --addlibs} with the PostgreSQL driver. {@code --nohazelcast} alone keeps it off every
 * port but the HTTP one. Each start gets a fresh root and temporary directory, so nothing persists.
 */
final class PayaraMicro extends AppServer {

    private final Path jar;

    PayaraMicro() throws IOException {
        super("payara");
        jar = only(servers, "payara-micro-*.jar");
    }

    @Override
    String product() {
        return "Payara Micro";
    }

    @Override
    String version() {
        String file = jar.getFileName().toString();
        return file.substring("payara-micro-".length(), file.length() - ".jar".length());
    }

    @Override
    String jndiName() {
        return "jdbc/highlander";
    }

    @Override
    String missingDriverSymptom() {
        return "java.lang.ClassNotFoundException: org.postgresql.ds.PGSimpleDataSource";
    }

    @Override
    Optional<String> builtInDataSource() {
        return Optional.of("jdbc/__default"); // H2, bound by every Payara
    }

    @Override
    Optional<String> withoutScheduledAsynchronousMethods() throws IOException {
        String version = "?";
        try (ZipFile micro = new ZipFile(jar.toFile())) {
            ZipEntry api = micro.getEntry("MICRO-INF/runtime/jakarta.enterprise.concurrent-api.jar");
            if (api != null) {
                try (JarInputStream in = new JarInputStream(micro.getInputStream(api))) {
                    Manifest manifest = in.getManifest();
                    version = manifest == null ? "?" : manifest.getMainAttributes().getValue("Bundle-Version");
                }
            }
        }
        return version != null && version.startsWith("3.0")
                ? Optional.of(this + " ships Jakarta Concurrency " + version + " (Jakarta EE 10); scheduled "
                        + "asynchronous methods are Concurrency 3.1 (Jakarta EE 11), in Payara 7, which needs Java 21")
                : Optional.empty();
    }

    @Override
    ServerInstance instance(String name, Node node, Path application) throws IOException {
        Path directory = work.resolve(name);
        deleteTree(directory);
        Files.createDirectories(directory.resolve("tmp"));
        Path config = example.resolve("server-config/payara");
        // the example's properties, then this node's (a later key wins)
        Path properties = directory.resolve("highlander.properties");
        Files.writeString(properties, Files.readString(config.resolve("highlander.properties"))
                + "highlander.datasource.jndi=" + node.jndiName() + "\n");
        int httpPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.add("-Djava.io.tmpdir=" + directory.resolve("tmp"));
        command.addAll(highlanderProperties(node));
        command.addAll(List.of("-jar", jar.toString(), "--nohazelcast", "--disablephonehome",
                "--port", String.valueOf(httpPort),
                "--rootdir", directory.resolve("root").toString(),
                "--prebootcommandfile", config.resolve("pre-boot-commands.asadmin").toString(),
                "--postbootcommandfile", config.resolve("post-boot-commands.asadmin").toString(),
                "--systemproperties", properties.toString()));
        if (node.driverInstalled()) {
            command.addAll(List.of("--addlibs", only(servers, "postgresql-*.jar").toString()));
        }
        command.addAll(List.of("--deploy", application.toString()));
        return new ServerInstance(name, new ServerInstance.Launch(command, databaseEnvironment(node.database()),
                directory, directory.resolve("console.log"), List.of(),
                Pattern.compile("Payara Micro .* ready in"), httpPort,
                List.of(directory.resolve("root"), directory.resolve("tmp"))));
    }
}
