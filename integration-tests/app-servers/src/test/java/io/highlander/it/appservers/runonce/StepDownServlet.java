package io.highlander.it.appservers.runonce;

import io.highlander.cdi.LeaderElector;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;

/**
 * Gives up leadership of {@value Report#NAME} for a minute, when the test says so; with {@code ?ready} it only
 * answers, so that the test can warm the servlet up (its first call took seconds on a loaded machine).
 */
@WebServlet("/step-down")
public class StepDownServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient LeaderElector elector;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        if (request.getParameter("ready") != null) {
            response.getWriter().println("ready");
            return;
        }
        elector.stepDown(Report.NAME, Duration.ofMinutes(1));
        response.getWriter().println("stepped down");
    }
}
