package io.highlander.cdi.failover;

import io.highlander.cdi.HighlanderSettings;
import io.highlander.cdi.app.LeadershipLog;
import io.highlander.cdi.app.Ticker;
import io.highlander.cdi.testing.History;
import io.highlander.cdi.testing.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * In-JVM nodes (Weld SE containers, the extension's {@link TestNode}) running the test application's
 * {@code ticker} singleton on one DataSource, all writing to one {@link History}. Closes every node.
 */
final class Nodes implements AutoCloseable {

    static final String SINGLETON = "ticker";

    /** The nodes' lease. */
    static final Duration LEASE = Duration.ofSeconds(2);

    private final History history = new History();
    private final TermTimes times = new TermTimes();
    private final List<TestNode> nodes = new CopyOnWriteArrayList<>();

    /** Starts {@code count} nodes named a, b, c, … on {@code source}. */
    Nodes start(DataSource source, int count) {
        return start(source, count, UnaryOperator.identity());
    }

    /** Starts {@code count} more nodes, named on from the last, with settings changed by {@code change}. */
    Nodes start(DataSource source, int count, UnaryOperator<HighlanderSettings.Builder> change) {
        for (int i = 0; i < count; i++) {
            String id = String.valueOf((char) ('a' + nodes.size()));
            nodes.add(TestNode.start(change.apply(settings(id)).build(), source, shared(), Ticker.class,
                    LeadershipLog.class, TermTimes.Recorder.class));
        }
        return this;
    }

    /**
     * Starts {@code count} nodes that connect through {@code highlander.datasource.url} alone, as the plain role: the
     * library builds their DataSource, with its own bounds on every wait.
     */
    Nodes startOnUrl(String url, int count) {
        for (int i = 0; i < count; i++) {
            String id = String.valueOf((char) ('a' + nodes.size()));
            nodes.add(TestNode.start(settings(id).jdbcUrl(url, ReplicatedPostgres.ROLE, null).build(), null, shared(),
                    Ticker.class, LeadershipLog.class, TermTimes.Recorder.class));
        }
        return this;
    }

    private Map<Class<?>, Object> shared() {
        return Map.of(History.class, history, TermTimes.class, times);
    }

    /**
     * A short lease, so that a node whose session the server did not end (a black hole) stops soon; a standby
     * tries again every second.
     */
    static HighlanderSettings.Builder settings(String id) {
        return HighlanderSettings.builder().nodeId(id).lease(LEASE).heartbeat(Duration.ofMillis(500))
                .standbyInterval(Duration.ofSeconds(1));
    }

    /** Stops every node started so far. */
    void stopAll() {
        nodes.forEach(TestNode::close);
    }

    History history() {
        return history;
    }

    /** @return when each term acquired its lock and ended, by token */
    TermTimes times() {
        return times;
    }

    List<TestNode> all() {
        return nodes;
    }

    /** @return the node that leads now, if one does */
    Optional<TestNode> leader() {
        return nodes.stream().filter(n -> n.running() && n.elector().isLeader(SINGLETON)).findFirst();
    }

    /** @return how many terms began so far */
    int terms() {
        return history.entries("acquired").size();
    }

    @Override
    public void close() {
        nodes.forEach(TestNode::close);
    }
}
