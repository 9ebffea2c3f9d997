package io.highlander.benchmarks;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.LeadershipLost;
import io.highlander.cdi.internal.HighlanderExtension;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.sql.DataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One Highlander node in its own JVM: a Weld SE container with {@code bench.singletons} probe singletons.
 * Settings come from the {@code highlander.*} system properties; lock connections from
 * {@code bench.jdbc.url}/{@code .user}/{@code .password} through a {@link TracingDataSource}
 * ({@code bench.notices=off}: connections that do not unwrap to pgjdbc's, so no notices on issue 11's layer).
 * Prints {@code READY}, {@code UP}, {@code DOWN}, {@code LOST}, {@code HOOK}, {@code EXIT} and {@code Q} lines on stdout; reads
 * commands on stdin ({@code exit}, {@code stepdown <name> [<hold-off ms>]}); exits gracefully on SIGTERM or end of input.
 */
public final class NodeMain {

    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        int singletons = Integer.getInteger("bench.singletons", 1);
        Weld weld = new Weld("bench-" + System.getProperty("highlander.node-id", "node"))
                .disableDiscovery()
                .property("org.jboss.weld.se.shutdownHook", false)
                .addBeanClasses(Wiring.class)
                .addExtension(new HighlanderExtension());
        for (int i = 0; i < singletons; i++) {
            weld.addBeanClass(Probes.ALL.get(i));
        }
        WeldContainer container = weld.initialize();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // the JVM runs the hooks: where the signal reaches the node. A StringBuilder, not a string concatenation:
            // the first concatenation of a shape links its method handles, milliseconds on the path it measures
            System.out.println(new StringBuilder("HOOK ").append(Clock.micros()));
            if (container.isRunning()) {
                container.shutdown(); // graceful: leaders stop their singletons, then unlock
            }
            System.out.println("EXIT " + Clock.micros());
        }, "bench-node-shutdown"));
        LeaderElector elector = container.select(LeaderElector.class).get();
        System.out.println("READY " + elector.nodeId() + " " + Clock.micros() + " " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("exit")) {
                break;
            }
            if (line.startsWith("stepdown ")) {
                String[] part = line.substring("stepdown ".length()).trim().split(" ");
                elector.stepDown(part[0], Duration.ofMillis(part.length > 1 ? Long.parseLong(part[1]) : 0));
            }
        }
        System.exit(0);
    }

    /** The node's DataSource and its event observer. */
    @ApplicationScoped
    static class Wiring {
        @Produces
        @HighlanderDataSource
        @ApplicationScoped
        DataSource dataSource() {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setUrl(System.getProperty("bench.jdbc.url"));
            pg.setUser(System.getProperty("bench.jdbc.user"));
            String password = System.getProperty("bench.jdbc.password");
            if (password != null && !password.isEmpty()) {
                pg.setPassword(password);
            }
            return new TracingDataSource(pg, !"off".equals(System.getProperty("bench.notices")));
        }

        void lost(@Observes LeadershipLost event) {
            System.out.println("LOST " + event.singleton() + " " + event.reason() + " " + Clock.micros());
        }
    }
}
