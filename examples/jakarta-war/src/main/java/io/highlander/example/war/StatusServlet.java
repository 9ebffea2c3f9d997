package io.highlander.example.war;

import static io.highlander.example.war.JsonText.quote;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.SingletonStatus;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * {@code GET /status}: this node's view of its cluster singletons as JSON, e.g.
 *
 * <pre>{@code
 * {"nodeId":"node-a","singletons":[{"singleton":"pulse","state":"LEADING","leading":true,"leader":"node-a",
 *   "fencingToken":1234,"since":"2026-11-25T07:00:00Z","database":"127.0.0.1:5432/app",
 *   "skippedCalls":0,"heartbeatOnly":false}],
 *  "pulse":{"lookup":"java:comp/DefaultManagedScheduledExecutorService","lookupOk":true,
 *   "applicationClassLoader":true,"ticks":42,"lastToken":1234,"firedAt":[1795820399,1795820400]},
 *  "events":["acquired token 1234 at ..."]}
 * }</pre>
 *
 * Written by hand (see {@link JsonText}) to keep the example free of a JSON binding dependency.
 */
@WebServlet("/status")
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient LeaderElector elector;

    @Inject
    transient Journal journal;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(json(elector.nodeId(), elector.status(), journal.snapshot()));
    }

    static String json(String nodeId, List<SingletonStatus> statuses, Journal.Snapshot pulse) {
        StringBuilder json = new StringBuilder("{\"nodeId\":").append(quote(nodeId)).append(",\"singletons\":[");
        for (int i = 0; i < statuses.size(); i++) {
            SingletonStatus status = statuses.get(i);
            json.append(i == 0 ? "" : ",")
                    .append("{\"singleton\":").append(quote(status.singleton()))
                    .append(",\"state\":").append(quote(status.state().name()))
                    .append(",\"leading\":").append(status.leading())
                    .append(",\"leader\":").append(quote(status.leader().orElse(null)))
                    .append(",\"fencingToken\":").append(status.fencingToken().isPresent()
                            ? String.valueOf(status.fencingToken().getAsLong()) : "null")
                    .append(",\"since\":").append(quote(String.valueOf(status.since())))
                    .append(",\"database\":").append(quote(status.database().orElse(null)))
                    .append(",\"skippedCalls\":").append(status.skippedCalls())
                    .append(",\"heartbeatOnly\":").append(status.heartbeatOnly())
                    .append('}');
        }
        json.append("],\"pulse\":{\"lookup\":").append(quote(pulse.lookupName()))
                .append(",\"lookupOk\":").append(pulse.lookupName() == null ? "null" : pulse.lookupFailure() == null)
                .append(",\"lookupFailure\":").append(quote(pulse.lookupFailure()))
                .append(",\"applicationClassLoader\":").append(pulse.applicationClassLoader())
                .append(",\"ticks\":").append(pulse.ticks())
                .append(",\"lastToken\":").append(pulse.lastToken())
                .append(",\"firedAt\":").append(pulse.firedAt().toString().replace(" ", ""))
                .append("},\"events\":[");
        List<String> events = pulse.events();
        for (int i = 0; i < events.size(); i++) {
            json.append(i == 0 ? "" : ",").append(quote(events.get(i)));
        }
        return json.append("]}").toString();
    }
}
