package io.highlander.cdi.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * What the nodes of an in-JVM test cluster did, in order, shared by all of them. It counts the running
 * instances itself, so a test asserts "never two at once" on the record rather than on a sample.
 */
public final class History {

    /**
     * One thing a node did.
     *
     * @param node  the node
     * @param what  e.g. {@code start}, {@code stop}, {@code acquired}, {@code lost:SHUTDOWN}
     * @param token the fencing token, or -1
     */
    public record Entry(String node, String what, long token) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();

    /** @param node the node whose instance just started (call first thing in {@code @PostConstruct}) */
    public void started(String node) {
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        add(node, "start", -1);
    }

    /** @param node the node whose instance is stopping (call last thing in {@code @PreDestroy}) */
    public void stopped(String node) {
        add(node, "stop", -1);
        running.decrementAndGet();
    }

    /**
     * @param node  the node
     * @param what  what happened
     * @param token the fencing token, or -1
     */
    public synchronized void add(String node, String what, long token) {
        entries.add(new Entry(node, what, token));
    }

    /** @return every entry so far */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * @param what the kind of entry
     * @return those entries, in order
     */
    public synchronized List<Entry> entries(String what) {
        return entries.stream().filter(e -> e.what().equals(what)).collect(Collectors.toList());
    }

    /** @return instances running now, over all nodes */
    public int running() {
        return running.get();
    }

    /**
     * Reads the record of several singletons (entries {@code "start <name>"} and {@code "stop <name>"}, as the fleet
     * of probe singletons writes them): each singleton's starts and stops must alternate.
     *
     * @return the first entry after which one singleton had two instances at once (or a stop without a start),
     *         with that count, or empty if there is none
     */
    public synchronized java.util.Optional<String> twoInstancesOfOneSingleton() {
        java.util.Map<String, Integer> running = new java.util.HashMap<>();
        for (Entry entry : entries) {
            String[] words = entry.what().split(" ");
            if (words.length == 2) {
                int now = running.merge(words[1], words[0].equals("start") ? 1 : -1, Integer::sum);
                if (now < 0 || now > 1) {
                    return java.util.Optional.of(now + " instances of " + words[1] + " after " + entry);
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** @return the most instances that ever ran at once, over all nodes */
    public int maxRunning() {
        return maxRunning.get();
    }

    @Override
    public synchronized String toString() {
        return new ArrayList<>(entries).toString();
    }
}
