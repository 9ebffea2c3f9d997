package io.highlander.example.war;

import io.highlander.cdi.LeaderElector;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * {@code POST /step-down[?holdOff=PT30S]}: hands the {@link Pulse} singleton over to another node now, as an
 * operator would before maintenance of this node. This node stops its instance, releases the lock (a standby
 * takes over within milliseconds) and competes again at once, or after the ISO-8601 {@code holdOff}. Does
 * nothing on a node that does not lead. Answers {@code 202 Accepted} with this node's {@code /status}; the
 * hand-over completes right after.
 *
 * <p>An operator's action: a real application puts it behind a security constraint.
 */
@WebServlet("/step-down")
public class StepDownServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient LeaderElector elector;

    @Inject
    transient Journal journal;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Duration holdOff = holdOff(request.getParameter("holdOff"));
        if (holdOff == null) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "holdOff must be an ISO-8601 duration such as PT30S");
            return;
        }
        elector.stepDown(Pulse.NAME, holdOff);
        response.setStatus(HttpServletResponse.SC_ACCEPTED);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(StatusServlet.json(elector.nodeId(), elector.status(), journal.snapshot()));
    }

    /** @return the hold-off asked for (none: zero), or {@code null} if it is not a duration of zero or more */
    private static Duration holdOff(String parameter) {
        try {
            Duration holdOff = parameter == null ? Duration.ZERO : Duration.parse(parameter);
            return holdOff.isNegative() ? null : holdOff;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
