package io.highlander.it.appservers;

import io.highlander.cdi.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a server's DataSource points: the parts the server configurations take from the environment
 * ({@code PG_HOST}, {@code PG_PORT}, {@code PG_DATABASE}, {@code PG_USER}, {@code PG_PASSWORD}).
 *
 * @param host     host name
 * @param port     port
 * @param name     database name
 * @param user     user
 * @param password password (any non-empty text for trust authentication)
 */
record Database(String host, int port, String name, String user, String password) {

    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+).*");

    /**
     * A fresh database on the shared test PostgreSQL: every server type gets its own, because pooled
     * connections may keep session-level advisory locks.
     */
    static Database fresh() {
        TestPostgres postgres = TestPostgres.shared();
        String url = postgres.newDatabase();
        Matcher matcher = URL.matcher(url);
        if (!matcher.matches()) {
            throw new IllegalStateException("cannot take host, port and database from " + url);
        }
        String host = matcher.group(1).equals("localhost") ? "127.0.0.1" : matcher.group(1);
        int port = matcher.group(2) == null ? 5432 : Integer.parseInt(matcher.group(2));
        String password = postgres.password() == null || postgres.password().isEmpty() ? "unused" : postgres.password();
        return new Database(host, port, matcher.group(3), postgres.user(), password);
    }

    /** @return a connection of the test's own, straight to the database, past every server's pool */
    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + name, user, password);
    }

    @Override
    public String toString() {
        return host + ":" + port + "/" + name;
    }
}
