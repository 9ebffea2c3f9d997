package io.highlander.it.appservers.fencedjta;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.OfSingleton;
import jakarta.annotation.Resource;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * One write in a JTA transaction fenced by the term of {@value Writer#NAME}: begin, borrow the server's DataSource
 * (enlisted), {@code Leadership.fence}, insert a row labelled {@code label}; with {@code end=yes}, step this node
 * down (its term ends) and wait until the term is no longer valid here and the connection is closed (aborted by
 * the library) or 1 s passed; then commit. Answers {@code token=<t> closed-before-commit=<bool> COMMITTED} or
 * {@code … COMMIT_FAILED <exception>}, and keeps the answer under its label: {@code ?answer=<label>} gives it back
 * (empty until there is one), for a client whose request timed out while this one waited. With {@code ready} it
 * answers {@code leads=<bool>} only.
 */
@WebServlet("/fenced")
public class FencedServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /**
     * How long the write waits, once its term ended, for the library to abort its connection: well under the test
     * nodes' lease (3 s), so that the commit comes before the server's idle bound on a fenced transaction
     * (fencing.md F3) could end it, and only the abort on the term's end (F8) can make it fail.
     */
    private static final long WAIT_NANOS = Duration.ofSeconds(1).toNanos();
    private static final Map<String, String> ANSWERS = new ConcurrentHashMap<>();

    @Resource(lookup = "java:jboss/datasources/HighlanderDS")
    transient DataSource dataSource;

    @Resource
    transient UserTransaction transaction;

    @Inject
    @OfSingleton(Writer.NAME)
    transient Leadership leadership;

    @Inject
    transient LeaderElector elector;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        if (request.getParameter("ready") != null) {
            response.getWriter().println("leads=" + leadership.isValid());
            return;
        }
        if (request.getParameter("answer") != null) {
            response.getWriter().println(ANSWERS.getOrDefault(request.getParameter("answer"), ""));
            return;
        }
        boolean end = "yes".equals(request.getParameter("end"));
        StringBuilder answer = new StringBuilder();
        Connection connection = null;
        try {
            transaction.begin();
            connection = dataSource.getConnection();
            long token = leadership.fence(connection);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO fenced_rows (token, label) VALUES (?, ?)")) {
                insert.setLong(1, token);
                insert.setString(2, request.getParameter("label"));
                insert.executeUpdate();
            }
            answer.append("token=").append(token);
            boolean closed = false;
            if (end) {
                elector.stepDown(Writer.NAME, Duration.ofMinutes(1));
                closed = awaitEnded(connection);
            }
            answer.append(" closed-before-commit=").append(closed);
            try {
                transaction.commit();
                answer.append(" COMMITTED");
            } catch (Exception e) {
                answer.append(" COMMIT_FAILED ").append(e.getClass().getName());
            }
        } catch (Exception e) {
            answer.append(" FAILED ").append(e);
            try {
                transaction.rollback();
            } catch (Exception ignored) {
                // the answer says what failed first
            }
        } finally {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // given back or already aborted
                }
            }
        }
        ANSWERS.put(String.valueOf(request.getParameter("label")), answer.toString().trim());
        response.getWriter().println(answer.toString().trim());
    }

    /** @return whether the connection was closed once the term had ended here (the library aborts it) */
    private boolean awaitEnded(Connection connection) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            if (!leadership.isValid() && connection.isClosed()) {
                return true;
            }
            Thread.sleep(10); // the application's own wait in this request, not the test's
        }
        return false;
    }
}
