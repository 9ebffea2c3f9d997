package io.highlander.it.appservers.scheduled;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.SingletonStatus;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /status}: {@code <state> <skippedCalls>} of the election {@value EverySecond#NAME} on this node. */
@WebServlet("/status")
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient LeaderElector elector;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SingletonStatus status = elector.status().stream()
                .filter(candidate -> candidate.singleton().equals(EverySecond.NAME)).findFirst().orElseThrow();
        response.setContentType("text/plain");
        response.getWriter().write(status.state() + " " + status.skippedCalls());
    }
}
