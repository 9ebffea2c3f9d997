package io.highlander.example.demo;

import io.highlander.cdi.testing.TestPostgres;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** The PostgreSQL the nodes share: one the user named, or an embedded one the demo starts and stops. */
final class Database implements AutoCloseable {

    private final String url;
    private final String user;
    private final String password;
    private final TestPostgres embedded;

    private Database(String url, String user, String password, TestPostgres embedded) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    /**
     * @param url      a {@code jdbc:postgresql:} URL
     * @param user     the user, or {@code null} to take it from the URL
     * @param password the password, or {@code null}
     * @throws DemoException if the URL is not a PostgreSQL URL
     */
    static Database external(String url, String user, String password) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new DemoException("--jdbc-url must start with jdbc:postgresql: (Highlander needs PostgreSQL), got "
                    + redact(url));
        }
        return new Database(url, user, password, null);
    }

    /** Starts a real PostgreSQL server from binaries on the class path, its own log in {@code logs}. */
    static Database embedded(Path logs) {
        try {
            TestPostgres postgres = TestPostgres.embedded().log(logs.resolve("postgres.log")).start();
            return new Database(postgres.url(), null, null, postgres);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new DemoException("cannot start the embedded PostgreSQL: " + cause.getMessage()
                    + "; see " + logs.resolve("postgres.log") + ", or give --jdbc-url");
        }
    }

    String url() {
        return url;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    boolean isEmbedded() {
        return embedded != null;
    }

    /**
     * Connects once, so that a wrong URL or password is one clear line now rather than three nodes failing.
     *
     * @return the server's version, e.g. {@code 14.15}
     * @throws DemoException saying what is wrong
     */
    String check() {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "10");
        try (Connection connection = DriverManager.getConnection(url, properties);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT current_setting('server_version'), pg_is_in_recovery()")) {
            result.next();
            String version = result.getString(1);
            if (connection.getMetaData().getDatabaseMajorVersion() < 14) {
                throw new DemoException("PostgreSQL " + version + " at " + redact(url)
                        + " is too old; Highlander needs 14 or newer");
            }
            if (result.getBoolean(2)) {
                throw new DemoException(redact(url) + " is a hot standby (in recovery); point --jdbc-url at the primary");
            }
            return version.split(" ")[0];
        } catch (SQLException e) {
            throw new DemoException(describe(e, url));
        }
    }

    /** @return one line on why the connection failed, never with the password */
    static String describe(SQLException e, String url) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = redact(url);
        Throwable cause = e.getCause();
        if (cause instanceof ConnectException) {
            return "cannot reach PostgreSQL at " + where + ": connection refused; is it running, and are host and port right?";
        }
        if (cause instanceof UnknownHostException) {
            return "cannot reach PostgreSQL at " + where + ": unknown host " + cause.getMessage();
        }
        if (cause instanceof SocketTimeoutException) {
            return "cannot reach PostgreSQL at " + where + ": no answer within 5 s";
        }
        if (state.equals("28P01")) {
            return "PostgreSQL at " + where + " rejected the password; check --user and --password"
                    + " (or HIGHLANDER_DATASOURCE_USER and HIGHLANDER_DATASOURCE_PASSWORD)";
        }
        if (state.startsWith("28")) {
            return "PostgreSQL at " + where + " refused the connection: " + firstLine(e.getMessage());
        }
        if (state.equals("3D000")) {
            return "PostgreSQL at " + where + ": " + firstLine(e.getMessage());
        }
        return "cannot connect to PostgreSQL at " + where + ": " + firstLine(e.getMessage());
    }

    /** A URL fit to print: any password parameter blanked out. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "no detail";
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.replace("ERROR: ", "").replace("FATAL: ", "");
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close(); // its data directory is temporary
        }
    }
}
