package io.highlander.it.appservers;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;

/**
 * The example's JSON answers ({@code /status}, {@code /pool-check}) read with JSON-P (Parsson), and the few reads
 * of them the tests share: a member that may be absent or {@code null}, and one singleton's entry.
 */
final class JsonAnswer {

    private JsonAnswer() {
    }

    /**
     * @param json an answer whose top level is an object
     * @return it, parsed
     */
    static JsonObject object(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }

    /** @return the member as a long, or {@code null} if it is absent or {@code null} */
    static Long longOrNull(JsonObject object, String name) {
        return present(object, name) ? object.getJsonNumber(name).longValueExact() : null;
    }

    /** @return the member as a boolean, or {@code null} if it is absent or {@code null} */
    static Boolean booleanOrNull(JsonObject object, String name) {
        return present(object, name) ? object.getBoolean(name) : null;
    }

    /** @return the member as a string, or {@code null} if it is absent or {@code null} */
    static String stringOrNull(JsonObject object, String name) {
        return present(object, name) ? object.getString(name) : null;
    }

    /**
     * @param status a {@code /status} answer
     * @param name   a singleton's name
     * @return its entry in {@code singletons}
     */
    static JsonObject singleton(JsonObject status, String name) {
        return status.getJsonArray("singletons").getValuesAs(JsonObject.class).stream()
                .filter(singleton -> name.equals(stringOrNull(singleton, "singleton"))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no singleton '" + name + "' in " + status));
    }

    private static boolean present(JsonObject object, String name) {
        return object.containsKey(name) && !object.isNull(name);
    }
}
