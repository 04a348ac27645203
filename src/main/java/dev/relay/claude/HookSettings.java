package dev.relay.claude;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Adds Relay's Stop hook to a Claude Code settings document, or takes exactly it out again, leaving every other key,
 * event and hook as it was. Relay's hook is recognised by a part of its command that names the home and the session
 * (its {@code marker}), so that a hook installed by an older jar or with another wait is still found, and updated or
 * removed.
 */
public final class HookSettings {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HookSettings() {}

    /** The settings text with the hook added (or its command and timeout updated when it is there already). */
    public static String install(String settingsJson, String command, String marker, int timeoutSeconds) {
        ObjectNode root = parse(settingsJson);
        ObjectNode hooks = object(root, "hooks");
        if (hooks.has("Stop") && !hooks.get("Stop").isArray()) {
            throw new IllegalArgumentException("has \"hooks.Stop\" that is not a list");
        }
        ArrayNode stop = hooks.has("Stop") ? (ArrayNode) hooks.get("Stop") : hooks.putArray("Stop");
        for (JsonNode group : stop) {
            for (JsonNode h : group.path("hooks")) {
                if (h.isObject() && h.path("command").asText().contains(marker)) {
                    ((ObjectNode) h).put("command", command);
                    ((ObjectNode) h).put("timeout", timeoutSeconds);
                    return write(root);
                }
            }
        }
        ObjectNode group = stop.addObject();
        ObjectNode hook = group.putArray("hooks").addObject();
        hook.put("type", "command");
        hook.put("command", command);
        hook.put("timeout", timeoutSeconds);
        return write(root);
    }

    /** The settings text without hooks whose command holds {@code marker}; groups and keys left empty are removed. */
    public static String uninstall(String settingsJson, String marker) {
        ObjectNode root = parse(settingsJson);
        JsonNode hooks = root.get("hooks");
        if (hooks == null || !hooks.isObject() || !hooks.path("Stop").isArray()) {
            return write(root);
        }
        ArrayNode stop = (ArrayNode) hooks.get("Stop");
        for (int g = stop.size() - 1; g >= 0; g--) {
            JsonNode list = stop.get(g).path("hooks");
            if (!list.isArray()) {
                continue;
            }
            ArrayNode arr = (ArrayNode) list;
            for (int i = arr.size() - 1; i >= 0; i--) {
                if (arr.get(i).path("command").asText().contains(marker)) {
                    arr.remove(i);
                }
            }
            if (arr.isEmpty()) {
                stop.remove(g);
            }
        }
        if (stop.isEmpty()) {
            ((ObjectNode) hooks).remove("Stop");
        }
        if (hooks.isEmpty()) {
            root.remove("hooks");
        }
        return write(root);
    }

    /** Whether the settings hold a hook whose command holds {@code marker}. */
    public static boolean installed(String settingsJson, String marker) {
        for (JsonNode group : parse(settingsJson).path("hooks").path("Stop")) {
            for (JsonNode h : group.path("hooks")) {
                if (h.path("command").asText().contains(marker)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ObjectNode parse(String text) {
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("is not a JSON object");
            }
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("is not valid JSON (line " + e.getLocation().getLineNr() + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private static ObjectNode object(ObjectNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return root.putObject(key);
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("\"" + key + "\" is not an object");
        }
        return (ObjectNode) n;
    }

    private static String write(ObjectNode root) {
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
