package io.highlander.example.war;

import static io.highlander.example.war.JsonText.quote;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * {@code GET /pool-check?connections=N}: an operator's check that the DataSource Highlander shares with the
 * application still hands out clean connections. Highlander keeps one connection of the pool per singleton
 * and changes that session for its lease; whatever it gives back must be as the pool lent it. This endpoint
 * borrows N connections (default 1, at most {@value #MOST}) from the same DataSource
 * ({@code highlander.datasource.jndi}), all at once, and reports for each:
 * <ul>
 *   <li>{@code pid}: its PostgreSQL backend, so that N distinct connections show as N distinct pids;</li>
 *   <li>{@code advisoryLocks}: the advisory locks its session holds; 0 on a connection at rest in a pool;</li>
 *   <li>{@code networkTimeoutMillis}: {@code Connection.getNetworkTimeout()}; the pool's default (0, none)
 *       unless someone left a socket timeout behind, which would then cut off longer application queries;</li>
 *   <li>{@code settings}: the session settings a lock session changes, and under {@code changed} those that
 *       differ from the value the session started with ({@code pg_settings.reset_val}).</li>
 * </ul>
 * Borrowing stops at the first connection the pool cannot give within its wait time, and {@code failure}
 * says why: a pool that leaks slots cannot lend N. With N = the pool's maximum size minus one connection
 * per singleton, the check sees every connection the node's pool can lend.
 *
 * <pre>{@code
 * {"dataSource":"jdbc/highlander","requested":2,"borrowed":2,"failure":null,"connections":[
 *   {"pid":4711,"advisoryLocks":0,"networkTimeoutMillis":0,"settings":{"application_name":"PostgreSQL JDBC Driver",
 *    "idle_in_transaction_session_timeout":"0","idle_session_timeout":"0","lock_timeout":"0",
 *    "statement_timeout":"0","tcp_user_timeout":"0"},"changed":[]}, ...]}
 * }</pre>
 */
@WebServlet("/pool-check")
public class PoolCheckServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The most connections one check borrows. */
    static final int MOST = 20;

    /** The same setting Highlander reads to find its DataSource. */
    static final String JNDI_PROPERTY = "highlander.datasource.jndi";

    private static final String CHECK_SQL = "SELECT pg_backend_pid(),"
            + " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),"
            + " name, setting, setting IS DISTINCT FROM reset_val"
            + " FROM pg_settings WHERE name IN ('application_name', 'idle_session_timeout',"
            + " 'idle_in_transaction_session_timeout', 'lock_timeout', 'statement_timeout', 'tcp_user_timeout')"
            + " ORDER BY name";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String jndiName = System.getProperty(JNDI_PROPERTY);
        int requested = count(request.getParameter("connections"));
        if (requested < 1 || requested > MOST || jndiName == null) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, jndiName == null ? JNDI_PROPERTY + " is not set"
                    : "connections must be a number from 1 to " + MOST);
            return;
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(check(jndiName, requested));
    }

    private static int count(String parameter) {
        try {
            return parameter == null ? 1 : Integer.parseInt(parameter);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String check(String jndiName, int requested) {
        List<Connection> borrowed = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        String failure = null;
        try {
            DataSource dataSource = (DataSource) new InitialContext().lookup(jndiName);
            // all kept until the end: one connection borrowed and returned N times would only show the same one;
            // each inspected as soon as it is lent, so that a later wait for one changes nothing in the report
            while (borrowed.size() < requested) {
                Connection connection = dataSource.getConnection();
                borrowed.add(connection);
                reports.add(report(connection));
            }
        } catch (NamingException | SQLException | RuntimeException e) {
            failure = e.toString(); // the connections it did lend are still reported
        } finally {
            for (Connection connection : borrowed) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // the pool copes with a connection that fails to close
                }
            }
        }
        return "{\"dataSource\":" + quote(jndiName) + ",\"requested\":" + requested + ",\"borrowed\":" + borrowed.size()
                + ",\"failure\":" + quote(failure) + ",\"connections\":[" + String.join(",", reports) + "]}";
    }

    private static String report(Connection connection) throws SQLException {
        StringBuilder settings = new StringBuilder();
        List<String> changed = new ArrayList<>();
        long pid = 0;
        long advisoryLocks = 0;
        try (PreparedStatement query = connection.prepareStatement(CHECK_SQL);
             ResultSet row = query.executeQuery()) {
            while (row.next()) {
                pid = row.getLong(1);
                advisoryLocks = row.getLong(2);
                settings.append(settings.length() == 0 ? "" : ",").append(quote(row.getString(3))).append(':')
                        .append(quote(row.getString(4)));
                if (row.getBoolean(5)) {
                    changed.add(quote(row.getString(3)));
                }
            }
        }
        return "{\"pid\":" + pid + ",\"advisoryLocks\":" + advisoryLocks + ",\"networkTimeoutMillis\":"
                + networkTimeout(connection) + ",\"settings\":{" + settings + "},\"changed\":["
                + String.join(",", changed) + "]}";
    }

    private static String networkTimeout(Connection connection) {
        try {
            return String.valueOf(connection.getNetworkTimeout());
        } catch (SQLException | AbstractMethodError e) {
            return "null"; // a pool or driver that cannot tell
        }
    }
}
