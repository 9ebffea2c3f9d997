package io.highlander.cdi.testing;

import io.highlander.cdi.HighlanderSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test's cluster: a fresh database, a {@link History} every node writes to, and the nodes, stopped after
 * each test. Register it with {@code @RegisterExtension final TestCluster cluster = new TestCluster();}.
 */
public final class TestCluster implements BeforeEachCallback, AfterEachCallback {

    private final History history = new History();
    private final List<TestNode> nodes = new CopyOnWriteArrayList<>();
    private final Map<Class<?>, Object> shared = new HashMap<>(Map.of(History.class, history));
    private DataSource dataSource;

    /**
     * @param type   a bean type every node offers
     * @param object the one object behind it
     * @param <T>    the type
     * @return this
     */
    public <T> TestCluster share(Class<T> type, T object) {
        shared.put(type, object);
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        TestPostgres postgres = TestPostgres.shared();
        dataSource = postgres.dataSource(postgres.newDatabase());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        nodes.forEach(TestNode::close);
    }

    /** @return what the nodes did */
    public History history() {
        return history;
    }

    /** @return the test's database */
    public DataSource dataSource() {
        return dataSource;
    }

    /** @return the nodes started so far, running or not */
    public List<TestNode> nodes() {
        return nodes;
    }

    /**
     * Starts a node on the test's database.
     *
     * @param settings    its settings
     * @param beanClasses the application
     * @return the node
     */
    public TestNode start(HighlanderSettings settings, Class<?>... beanClasses) {
        return start(settings, dataSource, beanClasses);
    }

    /**
     * Starts a node on another DataSource.
     *
     * @param settings    its settings
     * @param source      where its lock connections come from, or {@code null}
     * @param beanClasses the application
     * @return the node
     */
    public TestNode start(HighlanderSettings settings, DataSource source, Class<?>... beanClasses) {
        TestNode node = TestNode.start(settings, source, Map.copyOf(shared), beanClasses);
        nodes.add(node);
        return node;
    }
}
