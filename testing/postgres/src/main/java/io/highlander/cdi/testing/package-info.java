/**
 * Test fixtures around a real PostgreSQL, one copy each for the library's tests, the integration suites, the
 * benchmarks and the demo: {@link io.highlander.cdi.testing.TestPostgres} (which server, fresh databases, servers of
 * one's own), {@link io.highlander.cdi.testing.PostgresControl} (fast restarts and crashes of an embedded server),
 * {@link io.highlander.cdi.testing.Pgbouncer} (a real pooler in transaction or session mode),
 * {@link io.highlander.cdi.testing.TcpProxy} (a link that delays, holds answers and is cut) and
 * {@link io.highlander.cdi.testing.OneConnectionPool} (a pool double for what HikariCP cannot show).
 * The library's test jar adds its own classes to this package (nodes, clusters, histories); they stay there because
 * they need the library.
 * <pre>{@code
 * String url = TestPostgres.shared().newDatabase();      // advisory locks are per database
 * try (TcpProxy link = new TcpProxy(TestPostgres.shared().port())) {
 *     DataSource through = TestPostgres.shared().dataSource(link.route(url));
 *     link.cut(true);                                       // nothing passes, nothing closes
 * }
 * }</pre>
 */
package io.highlander.cdi.testing;
