package io.highlander.it.appservers;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One answer of the example's {@code GET /pool-check}: the connections it borrowed at once from a node's pool,
 * and what each carried.
 *
 * @param requested   how many connections it asked for
 * @param borrowed    how many it got
 * @param failure     why the pool could not lend them all, or {@code null}
 * @param connections one entry per connection it got
 * @param json        the raw answer, for messages
 */
record PoolCheck(long requested, long borrowed, String failure, List<Borrowed> connections, String json) {

    /**
     * One borrowed connection.
     *
     * @param pid                  its backend's pid
     * @param advisoryLocks        the advisory locks its session holds
     * @param networkTimeoutMillis its {@code Connection.getNetworkTimeout()}, or {@code null} if the pool cannot tell
     * @param changed              the session settings that differ from the session's start values
     * @param settings             the values of the settings the check reads
     */
    record Borrowed(long pid, long advisoryLocks, Long networkTimeoutMillis, List<String> changed,
                    Map<String, Object> settings) {
    }

    static PoolCheck parse(String json) {
        JsonObject root = JsonAnswer.object(json);
        List<Borrowed> connections = new ArrayList<>();
        for (JsonObject connection : root.getJsonArray("connections").getValuesAs(JsonObject.class)) {
            Map<String, Object> settings = new LinkedHashMap<>();
            connection.getJsonObject("settings").forEach((name, value) -> settings.put(name, plain(value)));
            connections.add(new Borrowed(connection.getJsonNumber("pid").longValueExact(),
                    connection.getJsonNumber("advisoryLocks").longValueExact(),
                    JsonAnswer.longOrNull(connection, "networkTimeoutMillis"),
                    connection.getJsonArray("changed").stream().map(PoolCheck::plain).map(String::valueOf).toList(),
                    settings));
        }
        return new PoolCheck(root.getJsonNumber("requested").longValueExact(),
                root.getJsonNumber("borrowed").longValueExact(), JsonAnswer.stringOrNull(root, "failure"), connections,
                json);
    }

    /** A setting's value as the messages print it: a string without its quotes, anything else as JSON. */
    private static Object plain(JsonValue value) {
        return value instanceof JsonString string ? string.getString() : value.toString();
    }

    /**
     * @return one line per thing a connection at rest in a pool must not carry (an advisory lock, a network
     *         timeout other than the pool's default 0, a changed session setting), plus the pool's failure to
     *         lend all connections asked for, or to lend distinct ones; empty if the pool is clean
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (failure != null || borrowed != requested) {
            problems.add("lent " + borrowed + " of " + requested + " connections: " + failure);
        }
        long distinct = connections.stream().mapToLong(Borrowed::pid).distinct().count();
        if (distinct != connections.size()) {
            problems.add("lent " + connections.size() + " connections on only " + distinct + " backends");
        }
        for (Borrowed connection : connections) {
            if (connection.advisoryLocks() != 0) {
                problems.add("pid " + connection.pid() + " holds " + connection.advisoryLocks() + " advisory lock(s)");
            }
            if (connection.networkTimeoutMillis() == null || connection.networkTimeoutMillis() != 0) {
                problems.add("pid " + connection.pid() + " has network timeout " + connection.networkTimeoutMillis()
                        + " ms");
            }
            for (String setting : connection.changed()) {
                problems.add("pid " + connection.pid() + " has " + setting + " = " + connection.settings().get(setting));
            }
        }
        return problems;
    }

    @Override
    public String toString() {
        return json;
    }
}
