package io.highlander.cdi.internal.datasource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * Connects to every host of a multi-host URL at once ({@link MultiHostUrl}) and keeps the first connection that
 * pgjdbc hands back, i.e. the first host that answered and is of the URL's {@code targetServerType} (pgjdbc checks a
 * {@code primary} itself on each single-host URL); every later connection is closed as it arrives. pgjdbc alone tries
 * the hosts one after the other, and puts a host it remembers as a standby last, so after a failover a silent old
 * primary first in the list cost every reconnect a whole {@code connectTimeout} or {@code socketTimeout} (at least 1 s:
 * the driver counts whole seconds). Here it costs nothing once another host answers; each attempt stays bounded by the
 * driver's timeouts ({@link ConnectBounds}), so a connect that no host answers fails after the slowest bound.
 *
 * <p>Each attempt runs on a thread of its own from the given executor, and only the driver's connect runs there.
 */
final class HostRace {

    /** One host's connect: the driver, given its URL and the properties. */
    @FunctionalInterface
    interface Connector {
        Connection connect(String url, Properties properties) throws SQLException;
    }

    private final List<String> urls;
    private final Connector connector;
    private final Executor threads;

    /**
     * @param urls      one single-host URL per host, in the user's order
     * @param connector the driver's connect
     * @param threads   where each attempt runs
     */
    HostRace(List<String> urls, Connector connector, Executor threads) {
        this.urls = urls;
        this.connector = connector;
        this.threads = threads;
    }

    /**
     * @param properties the connection's properties, the same for every host
     * @return the first connection had
     * @throws SQLException if no host gave one: the first host's failure, the others' suppressed under it
     */
    Connection connect(Properties properties) throws SQLException {
        Race race = new Race(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            int host = i;
            String url = urls.get(i);
            threads.execute(() -> {
                try {
                    race.had(connector.connect(url, properties));
                } catch (SQLException | RuntimeException e) {
                    race.failed(host, e);
                }
            });
        }
        return race.await();
    }

    /** The attempts' outcome, under one monitor: the winner, or every failure. */
    private static final class Race {
        private final Exception[] failures;
        private int failed;
        private Connection winner;
        private boolean over;

        Race(int hosts) {
            this.failures = new Exception[hosts];
        }

        void had(Connection connection) {
            synchronized (this) {
                if (!over) {
                    over = true;
                    winner = connection;
                    notifyAll();
                    return;
                }
            }
            closeQuietly(connection); // a later host, or a caller that gave up: never used
        }

        synchronized void failed(int host, Exception e) {
            failures[host] = e;
            failed++;
            notifyAll();
        }

        Connection await() throws SQLException {
            synchronized (this) {
                try {
                    while (winner == null && failed < failures.length) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    over = true; // a connection that arrives from now on is closed
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while connecting", "08001", e);
                }
                over = true;
                if (winner != null) {
                    return winner;
                }
            }
            SQLException first = asSql(failures[0]);
            for (int i = 1; i < failures.length; i++) {
                first.addSuppressed(failures[i]);
            }
            throw first;
        }

        private static SQLException asSql(Exception e) {
            return e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), "08001", e);
        }

        private static void closeQuietly(Connection connection) {
            try {
                connection.close();
            } catch (SQLException e) {
                // a connection nobody used: nothing to keep of it
            }
        }
    }
}
