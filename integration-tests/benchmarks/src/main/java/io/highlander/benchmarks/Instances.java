package io.highlander.benchmarks;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which node runs each probe singleton, replayed from the probes' {@code UP} (first line of
 * {@code @PostConstruct}) and {@code GONE} (last line of {@code @PreDestroy}) lines in time order: an instance
 * runs from its {@code UP} to its {@code GONE}, or until its process is gone.
 */
final class Instances {

    private Instances() {
    }

    /** @return the node that runs each singleton now (only singletons that run somewhere) */
    static Map<String, NodeProcess> running(Cluster cluster) {
        Map<String, NodeProcess> running = new HashMap<>();
        for (Event event : ordered(cluster, Long.MIN_VALUE)) {
            apply(running, event);
        }
        running.values().removeIf(node -> !node.alive());
        return running;
    }

    /**
     * @return the first instant (epoch µs) at or after {@code fromMicros} when every one of the singletons ran on
     *     some node at once ({@code fromMicros} itself if they all ran then), if that happened
     */
    static Optional<Long> allRunningAt(Cluster cluster, int singletons, long fromMicros) {
        Map<String, NodeProcess> running = new HashMap<>();
        boolean passed = false;
        for (Event event : ordered(cluster, Long.MIN_VALUE)) {
            if (!passed && event.micros() >= fromMicros) {
                passed = true;
                if (running.size() == singletons) {
                    return Optional.of(fromMicros);
                }
            }
            apply(running, event);
            if (passed && running.size() == singletons) {
                return Optional.of(event.micros());
            }
        }
        return !passed && running.size() == singletons ? Optional.of(fromMicros) : Optional.empty();
    }

    /** @return the instant of the latest UP or GONE line, or {@link Long#MIN_VALUE} */
    static long lastChange(Cluster cluster) {
        return cluster.events(e -> e.kind().equals("UP") || e.kind().equals("GONE")).stream()
                .mapToLong(Event::micros).max().orElse(Long.MIN_VALUE);
    }

    /** @return the node currently running the singleton, if any */
    static Optional<NodeProcess> runner(Cluster cluster, String singleton) {
        return Optional.ofNullable(running(cluster).get(singleton));
    }

    private static List<Event> ordered(Cluster cluster, long fromMicros) {
        return cluster.events(e -> (e.kind().equals("UP") || e.kind().equals("GONE")) && e.micros() >= fromMicros)
                .stream().sorted(Comparator.comparingLong(Event::micros)).toList();
    }

    private static void apply(Map<String, NodeProcess> running, Event event) {
        if (event.kind().equals("UP")) {
            running.put(event.name(), event.node());
        } else if (running.get(event.name()) == event.node()) {
            running.remove(event.name());
        }
    }
}
