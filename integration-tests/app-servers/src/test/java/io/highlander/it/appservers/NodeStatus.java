package io.highlander.it.appservers;

import jakarta.json.JsonObject;
import java.time.Instant;

/**
 * One node's answer from the example's {@code GET /status}, for the singleton {@code pulse}.
 *
 * @param nodeId                 the node's id
 * @param state                  the election's state on the node (LEADING, STANDBY, …)
 * @param leader                 the leading node's id as the node sees it, or {@code null}
 * @param fencingToken           the token of the node's current or last term, or {@code null}
 * @param since                  when the state began
 * @param lookupOk               whether the singleton's {@code java:comp} lookup in {@code @PostConstruct}
 *                               worked, {@code null} if it never started on this node
 * @param applicationClassLoader whether {@code @PostConstruct} ran with the application's class loader
 * @param ticks                  the singleton's ticks on this node
 * @param heartbeatOnly          whether the node's lock connection cannot wait in a socket read (its pool's
 *                               connections did not unwrap to pgjdbc)
 * @param json                   the raw answer, for messages
 */
record NodeStatus(String nodeId, String state, String leader, Long fencingToken, Instant since, Boolean lookupOk,
                  Boolean applicationClassLoader, long ticks, boolean heartbeatOnly, String json) {

    static NodeStatus parse(String json) {
        JsonObject root = JsonAnswer.object(json);
        JsonObject pulse = JsonAnswer.singleton(root, "pulse");
        JsonObject journal = root.getJsonObject("pulse");
        return new NodeStatus(root.getString("nodeId"), pulse.getString("state"), JsonAnswer.stringOrNull(pulse, "leader"),
                JsonAnswer.longOrNull(pulse, "fencingToken"), Instant.parse(pulse.getString("since")),
                JsonAnswer.booleanOrNull(journal, "lookupOk"), JsonAnswer.booleanOrNull(journal, "applicationClassLoader"),
                journal.getJsonNumber("ticks").longValueExact(), Boolean.TRUE.equals(JsonAnswer.booleanOrNull(pulse,
                "heartbeatOnly")), json);
    }

    boolean leading() {
        return "LEADING".equals(state);
    }

    @Override
    public String toString() {
        return json;
    }
}
