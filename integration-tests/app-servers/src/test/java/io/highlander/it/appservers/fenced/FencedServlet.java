package io.highlander.it.appservers.fenced;

import io.highlander.cdi.LeaderElector;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * What the test drives: {@code /write} runs the fenced transaction and answers how it ended (it waits for
 * {@code /release}); {@code /step-down} gives the singleton up for a minute; {@code /ready} only answers.
 */
@WebServlet("/fenced/*")
public class FencedServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient LeaderElector elector;
    @Inject
    transient Writer writer;
    @Inject
    transient Hold hold;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        PrintWriter out = response.getWriter();
        switch (String.valueOf(request.getPathInfo())) {
            case "/ready" -> out.println("ready, leading: " + elector.isLeader(Ledger.NAME));
            case "/release" -> {
                hold.release();
                out.println("released");
            }
            case "/step-down" -> {
                elector.stepDown(Ledger.NAME, Duration.ofMinutes(1));
                out.println("stepped down");
            }
            case "/write" -> {
                try {
                    out.println("committed " + writer.writeAndWait());
                } catch (Exception e) {
                    out.println("failed: " + chain(e));
                }
            }
            default -> response.sendError(404);
        }
    }

    private static String chain(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            text.append(cause.getClass().getName()).append(": ").append(cause.getMessage()).append(" | ");
        }
        return text.toString();
    }
}
