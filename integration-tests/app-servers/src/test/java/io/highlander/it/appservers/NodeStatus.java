package io.highlander.it.appservers;

import java.time.Instant;
import java.util.List;
import java.util.Map;

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

    @SuppressWarnings("unchecked")
    static NodeStatus parse(String json) {
        Map<String, Object> root = (Map<String, Object>) Json.parse(json);
        List<Object> singletons = (List<Object>) root.get("singletons");
        Map<String, Object> pulse = singletons.stream().map(s -> (Map<String, Object>) s)
                .filter(s -> "pulse".equals(s.get("singleton"))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no singleton 'pulse' in " + json));
        Map<String, Object> journal = (Map<String, Object>) root.get("pulse");
        return new NodeStatus((String) root.get("nodeId"), (String) pulse.get("state"), (String) pulse.get("leader"),
                (Long) pulse.get("fencingToken"), Instant.parse((String) pulse.get("since")),
                (Boolean) journal.get("lookupOk"), (Boolean) journal.get("applicationClassLoader"),
                (Long) journal.get("ticks"), Boolean.TRUE.equals(pulse.get("heartbeatOnly")), json);
    }

    boolean leading() {
        return "LEADING".equals(state);
    }

    @Override
    public String toString() {
        return json;
    }
}
