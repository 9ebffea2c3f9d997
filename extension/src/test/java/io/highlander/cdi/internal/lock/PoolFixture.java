package io.highlander.cdi.internal.lock;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.highlander.cdi.internal.datasource.ConnectionSource;
import io.highlander.cdi.testing.TestPools;
import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.UnaryOperator;

/**
 * The shared {@link TestPools} (a test's database, roles and HikariCP pools) under the names the lock tests use,
 * plus a connection source that remembers what it handed out, which needs the library's {@link ConnectionSource}.
 */
final class PoolFixture implements AutoCloseable {

    private final TestPools pools = new TestPools(TestPostgres.shared());

    /** @return the test database's JDBC URL */
    String url() {
        return pools.url();
    }

    /** @see TestPools#role(String...) */
    String role(String... settings) throws SQLException {
        return pools.role(settings);
    }

    /** @return a HikariCP pool of the test server's own user */
    HikariDataSource pool(int maximumSize) {
        return pools.pool(maximumSize);
    }

    /** @see TestPools#pool(int, String, UnaryOperator) */
    HikariDataSource pool(int maximumSize, String role, UnaryOperator<HikariConfig> tweak) {
        return pools.pool(maximumSize, role, tweak);
    }

    /** @see TestPools#advisoryLocksOf(Connection) */
    static int advisoryLocksOf(Connection connection) throws SQLException {
        return TestPools.advisoryLocksOf(connection);
    }

    /** @see TestPools#setting(Connection, String) */
    static String setting(Connection connection, String name) throws SQLException {
        return TestPools.setting(connection, name);
    }

    /** A source that remembers the last connection it handed out, so that a test can look at it. */
    static final class Recording implements ConnectionSource {
        private final javax.sql.DataSource dataSource;
        private volatile Connection last;

        Recording(javax.sql.DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public Connection connect() throws SQLException {
            last = dataSource.getConnection();
            return last;
        }

        Connection last() {
            return last;
        }

        @Override
        public String description() {
            return "test pool";
        }
    }

    @Override
    public void close() {
        pools.close();
    }
}
