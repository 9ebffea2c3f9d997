package io.highlander.benchmarks;

import io.highlander.cdi.HighlanderDataSource;
import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.internal.HighlanderExtension;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Singleton;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Several Highlander nodes in one JVM, as the library allows: {@code bench.containers} Weld SE containers, each its
 * own node (its own settings bean, so its own node id, node session and watcher) with the same {@code
 * bench.singletons} {@link ScaleProbes}. Container {@code k} (from 0) is node {@code n<bench.slot.first + k>} and
 * logs in as that slot's role ({@code hl_bench_n<slot>}), so that the server tells the nodes apart. Placement from
 * {@code highlander.placement}. Prints {@code READY <node> <epochMicros> <pid>} per container and its probes'
 * {@code UP}/{@code GONE} lines; reads {@code stop <node>} (that node leaves gracefully) and {@code exit} on stdin;
 * SIGTERM stops every container gracefully.
 */
public final class LargeNodeMain {

    private LargeNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        int containers = Integer.getInteger("bench.containers", 1);
        int singletons = Integer.getInteger("bench.singletons", 1);
        int first = Integer.getInteger("bench.slot.first", 1);
        HighlanderSettings.Placement placement = HighlanderSettings.Placement.valueOf(
                System.getProperty("highlander.placement", "balanced").toUpperCase(Locale.ROOT).replace('-', '_'));
        List<Class<?>> probes = ScaleProbes.first(singletons);
        Map<String, WeldContainer> nodes = new LinkedHashMap<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<WeldContainer> running;
            synchronized (nodes) {
                running = new ArrayList<>(nodes.values());
            }
            running.stream().filter(WeldContainer::isRunning).forEach(WeldContainer::shutdown);
            System.out.println("EXIT " + Clock.micros());
        }, "bench-large-shutdown"));
        for (int k = 0; k < containers; k++) {
            int slot = first + k;
            String node = "n" + slot;
            HighlanderSettings settings = HighlanderSettings.builder().nodeId(node).placement(placement).build();
            Weld weld = new Weld("bench-large-" + node)
                    .disableDiscovery()
                    .property("org.jboss.weld.se.shutdownHook", false)
                    .addExtension(new NodeBeans(settings, dataSource(PostgresServer.role(slot))))
                    .addExtension(new HighlanderExtension());
            probes.forEach(weld::addBeanClass);
            WeldContainer container = weld.initialize();
            synchronized (nodes) {
                nodes.put(node, container);
            }
            LeaderElector elector = container.select(LeaderElector.class).get();
            System.out.println("READY " + elector.nodeId() + " " + Clock.micros() + " " + ProcessHandle.current().pid());
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("exit")) {
                break;
            }
            if (line.startsWith("stop ")) {
                WeldContainer leaving;
                synchronized (nodes) {
                    leaving = nodes.remove(line.substring("stop ".length()).trim());
                }
                if (leaving != null && leaving.isRunning()) {
                    leaving.shutdown(); // graceful: its leaders stop their singletons, then unlock
                }
            }
        }
        System.exit(0);
    }

    private static DataSource dataSource(String role) {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(System.getProperty("bench.jdbc.url"));
        pg.setUser(role);
        return pg;
    }

    /** Offers one container's settings and DataSource as beans: several containers share the JVM's properties. */
    private static final class NodeBeans implements Extension {
        private final HighlanderSettings settings;
        private final DataSource dataSource;

        NodeBeans(HighlanderSettings settings, DataSource dataSource) {
            this.settings = settings;
            this.dataSource = dataSource;
        }

        void addBeans(@Observes AfterBeanDiscovery event) {
            event.addBean().beanClass(LargeNodeMain.class).types(HighlanderSettings.class, Object.class)
                    .scope(Singleton.class).createWith(context -> settings);
            event.addBean().beanClass(LargeNodeMain.class).types(DataSource.class, Object.class)
                    .qualifiers(new LockDataSource(), Any.Literal.INSTANCE)
                    .scope(Singleton.class).createWith(context -> dataSource);
        }
    }

    private static final class LockDataSource extends AnnotationLiteral<HighlanderDataSource>
            implements HighlanderDataSource {
        private static final long serialVersionUID = 1L;
    }
}
