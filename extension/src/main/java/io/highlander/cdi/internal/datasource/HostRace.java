package io.highlander.cdi.internal.datasource;

import io.highlander.cdi.internal.Messages;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Connects to every host of a multi-host URL at once ({@link MultiHostUrl}) and keeps the first connection that
 * pgjdbc hands back, i.e. the first host that answered and is of the URL's {@code targetServerType} (pgjdbc checks a
 * {@code primary} itself on each single-host URL); every later connection is closed as it arrives. pgjdbc alone tries
 * the hosts one after the other, and puts a host it remembers as a standby last, so after a failover a silent old
 * primary first in the list cost every reconnect a whole {@code connectTimeout} or {@code socketTimeout} (at least 1 s:
 * the driver counts whole seconds). Here it costs nothing once another host answers.
 *
 * <p>While an attempt is still waiting on a host, a host that failed (a standby refused as not a primary, a refused
 * port) is asked again every {@link #RETRY}: a standby promoted meanwhile is found within that, not at the next
 * connect after the silent host's timeout and the caller's back-off. Hosts are asked again only while some host's first
 * attempt is still in the driver, and the race fails, with every host's last failure, once no attempt is left in it: so
 * a connect lasts at most its slowest first attempt plus one attempt more, each bounded by the driver's timeouts
 * ({@link ConnectBounds}).
 *
 * <p>Each host's attempts run on a thread of their own from the given executor, and only the driver's connect runs
 * there.
 */
final class HostRace {

    /**
     * How soon a host that failed is asked again while another is still waited on: a promotion takes effect in tens of
     * milliseconds, and ten connects a second per node are a small load on a standby for the seconds of a failover.
     */
    static final Duration RETRY = Duration.ofMillis(100);

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
     * @param threads   where each host's attempts run
     */
    HostRace(List<String> urls, Connector connector, Executor threads) {
        this.urls = urls;
        this.connector = connector;
        this.threads = threads;
    }

    /**
     * @param properties the connection's properties, the same for every host
     * @return the first connection had
     * @throws SQLException if no host gave one: the first host's last failure whose server answered, else the first
     *                      host's, the others' suppressed under it
     */
    Connection connect(Properties properties) throws SQLException {
        Race race = new Race(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            int host = i;
            String url = urls.get(i);
            threads.execute(() -> {
                boolean first = true;
                do {
                    try {
                        race.had(connector.connect(url, properties), first);
                        return;
                    } catch (SQLException | RuntimeException e) {
                        race.failed(host, e, first);
                    }
                    first = false;
                } while (race.again());
            });
        }
        return race.await();
    }

    /** The attempts' outcome, under one monitor: the winner, or every host's last failure. */
    private static final class Race {
        private final Exception[] failures;
        /** Attempts in the driver now. */
        private int trying;
        /** Hosts whose first attempt is still in the driver: only while one is are the others asked again. */
        private int firstPending;
        private Connection winner;
        private boolean lost;
        private boolean over;

        Race(int hosts) {
            this.failures = new Exception[hosts];
            this.trying = hosts;
            this.firstPending = hosts;
        }

        void had(Connection connection, boolean first) {
            synchronized (this) {
                trying--;
                if (first) {
                    firstPending--;
                }
                if (!over) {
                    over = true;
                    winner = connection;
                    notifyAll();
                    return;
                }
            }
            closeQuietly(connection); // a later host, or a caller that gave up: never used
        }

        synchronized void failed(int host, Exception e, boolean first) {
            failures[host] = e;
            trying--;
            if (first) {
                firstPending--;
            }
            if (trying == 0 && !over) {
                over = true; // nobody left in the driver: every host has failed at least once, and lately
                lost = true;
            }
            notifyAll();
        }

        /**
         * After a failure: waits {@link #RETRY}, unless the race ends or no first attempt is left in the driver
         * meanwhile; whether to try this host again. A host's second attempt is never what keeps a race going: were it
         * so, two slow hosts could take turns for ever.
         */
        synchronized boolean again() {
            long deadline = System.nanoTime() + RETRY.toNanos();
            long left;
            while (!over && firstPending > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    return false;
                }
            }
            if (over || firstPending == 0) {
                return false;
            }
            trying++;
            return true;
        }

        Connection await() throws SQLException {
            synchronized (this) {
                try {
                    while (!over) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    over = true; // a connection that arrives from now on is closed
                    notifyAll();
                    Thread.currentThread().interrupt();
                    throw new SQLException(Messages.connectInterrupted(), "08001", e);
                }
                if (!lost) {
                    return winner;
                }
            }
            SQLException reported = asSql(failures[answered()]);
            for (Exception failure : failures) {
                if (failure != null && failure != reported && failure != reported.getCause()) {
                    reported.addSuppressed(failure);
                }
            }
            throw reported;
        }

        /**
         * The failure to report: the first host's, in the URL's order, whose server answered (a wrong password, a
         * missing database: what the user must fix), else the first host's. A connection failure's SQLState is of
         * class 08.
         */
        private int answered() {
            for (int i = 0; i < failures.length; i++) {
                if (failures[i] instanceof SQLException sql && sql.getSQLState() != null
                        && !sql.getSQLState().startsWith("08")) {
                    return i;
                }
            }
            return 0;
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
