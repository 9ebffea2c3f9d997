package io.highlander.it.appservers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Open Liberty from {@code io.openliberty:openliberty-runtime} (the full zip: this Maven Central mirror
 * lacks most feature ESAs, so kernel plus features cannot be installed). The installation stays pristine;
 * the servers live in their own {@code WLP_USER_DIR}, each with the example's {@code server.xml} and
 * {@code jvm.options}, and run in the foreground ({@code server run}, which execs the JVM).
 */
final class OpenLiberty extends AppServer {

    private final Path wlp;
    private final Path userDir;

    OpenLiberty() {
        super("liberty");
        wlp = servers.resolve("wlp");
        userDir = work.resolve("usr");
    }

    @Override
    String product() {
        return "Open Liberty";
    }

    @Override
    String version() {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(wlp.resolve("lib/versions/openliberty.properties"))) {
            properties.load(in);
            return properties.getProperty("com.ibm.websphere.productVersion");
        } catch (IOException e) {
            return "?";
        }
    }

    @Override
    String jndiName() {
        return "jdbc/highlander";
    }

    @Override
    String missingDriverSymptom() {
        return "DSRA4000E";
    }

    @Override
    Optional<String> builtInDataSource() {
        return Optional.empty(); // Liberty ships no database and binds no DataSource unless configured
    }

    @Override
    Optional<String> withoutScheduledAsynchronousMethods() {
        return Files.exists(wlp.resolve("lib/features/io.openliberty.concurrent-3.1.mf")) ? Optional.empty()
                : Optional.of(this + " has no concurrent-3.1 feature (Jakarta EE 11 features are in Open Liberty's "
                        + "beta releases only, not in its release runtime io.openliberty:openliberty-runtime)");
    }

    @Override
    ServerInstance instance(String name, Node node, Path application) throws IOException {
        Path shared = userDir.resolve("shared/resources/postgresql");
        if (!Files.exists(shared)) {
            Files.createDirectories(shared);
            Path driver = only(servers, "postgresql-*.jar");
            Files.copy(driver, shared.resolve(driver.getFileName()));
        }
        Path server = userDir.resolve("servers").resolve(name);
        deleteTree(server);
        Files.createDirectories(server.resolve("apps"));
        Path config = example.resolve("server-config/liberty");
        Files.copy(config.resolve("server.xml"), server.resolve("server.xml"));
        // the example's server.xml deploys highlander-example.war; another WAR needs a <webApplication> of its own
        Files.copy(application, server.resolve("apps").resolve(application.getFileName()));
        // the example's jvm.options, then this node's settings (the last -D wins)
        Files.writeString(server.resolve("jvm.options"), Files.readString(config.resolve("jvm.options"))
                + String.join("\n", highlanderProperties(node)) + "\n");
        int httpPort = freePort();
        StringBuilder bootstrap = new StringBuilder("http.port=" + httpPort + "\n");
        if (!node.driverInstalled()) {
            Path empty = server.resolve("no-driver");
            Files.createDirectories(empty);
            bootstrap.append("pg.driver.dir=").append(empty).append('\n');
        }
        Files.writeString(server.resolve("bootstrap.properties"), bootstrap);
        // pg.host, pg.port … come from PG_HOST, PG_PORT … (Liberty maps environment variables to variables)
        Map<String, String> environment = new HashMap<>(databaseEnvironment(node.database()));
        environment.put("JAVA_HOME", javaHome.toString());
        environment.put("WLP_USER_DIR", userDir.toString());
        return new ServerInstance(name, new ServerInstance.Launch(
                List.of(wlp.resolve("bin/server").toString(), "run", name), environment, server,
                work.resolve(name + "-console.log"), List.of(server.resolve("logs/messages.log")),
                Pattern.compile("CWWKF0011I"), httpPort, List.of()));
    }
}
