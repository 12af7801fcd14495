package dev.parley.server.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.ChatException;
import dev.parley.protocol.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/**
 * Reads the small JSON object bodies of the HTTP routes field by field, strictly: no coercion between types, and
 * every refusal a {@code bad_request} naming the field (the same rules as the socket's frames).
 */
final class JsonBody {
    private JsonBody() {
    }

    /** The request body as a JSON object; {@code bad_request} for an empty body, malformed JSON or a non-object. */
    static JsonNode object(RoutingContext rc) {
        JsonNode root;
        try {
            Buffer b = rc.body().buffer();
            root = b == null || b.length() == 0 ? null : Json.mapper().readTree(b.getBytes());
        } catch (IOException e) {
            throw ChatException.badRequest("malformed JSON");
        }
        if (root == null || !root.isObject()) {
            throw ChatException.badRequest("a JSON object body is required");
        }
        return root;
    }

    /** A string field, or null when absent; {@code bad_request} when it holds anything but a string. */
    static String optionalText(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.badRequest("'" + field + "' must be a string");
        }
        return n.asText();
    }

    /** A required string field; {@code bad_request} when it is missing or holds anything but a string. */
    static String requiredText(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) {
            throw ChatException.badRequest("'" + field + "' must be a string");
        }
        return n.asText();
    }

    /** A whole-number field, or null when absent; {@code bad_request} for any other type. */
    static Long optionalWhole(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ChatException.badRequest("'" + field + "' must be a whole number");
        }
        return n.asLong();
    }
}
