package dev.relay.claude;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Predicate;

/**
 * Adds Relay's hooks to a Claude Code settings document, or takes exactly them out again, leaving every other key,
 * event and hook as it was. Relay's hooks are recognised by a predicate over their command (naming the home and the
 * session), so that hooks installed by an older Relay or with another wait are still found, and updated or removed.
 */
public final class HookSettings {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HookSettings() {}

    /** One hook to install: the Claude Code event, the command, and its timeout in seconds. */
    public record Hook(String event, String command, int timeoutSeconds) {}

    /**
     * The settings text with the hooks added: an existing hook of ours for the same event is updated in place (the
     * first; any more are removed), and ours under events no longer installed are removed.
     */
    public static String install(String settingsJson, List<Hook> hooks, Predicate<String> ours) {
        ObjectNode root = parse(settingsJson);
        ObjectNode events = object(root, "hooks");
        for (Hook hook : hooks) {
            if (events.has(hook.event()) && !events.get(hook.event()).isArray()) {
                throw new IllegalArgumentException("has \"hooks." + hook.event() + "\" that is not a list");
            }
        }
        List<String> installing = hooks.stream().map(Hook::event).toList();
        for (String event : List.copyOf(iterable(events))) {
            if (!installing.contains(event)) {
                removeOurs(events, event, ours);
            }
        }
        for (Hook hook : hooks) {
            ArrayNode groups = events.has(hook.event()) ? (ArrayNode) events.get(hook.event()) : events.putArray(hook.event());
            boolean updated = false;
            for (JsonNode group : groups) {
                JsonNode list = group.path("hooks");
                if (!list.isArray()) {
                    continue;
                }
                ArrayNode arr = (ArrayNode) list;
                for (int i = arr.size() - 1; i >= 0; i--) {
                    JsonNode h = arr.get(i);
                    if (h.isObject() && ours.test(h.path("command").asText())) {
                        if (updated) {
                            arr.remove(i);
                        } else {
                            ((ObjectNode) h).put("type", "command");
                            ((ObjectNode) h).put("command", hook.command());
                            ((ObjectNode) h).put("timeout", hook.timeoutSeconds());
                            updated = true;
                        }
                    }
                }
            }
            if (!updated) {
                ObjectNode h = groups.addObject().putArray("hooks").addObject();
                h.put("type", "command");
                h.put("command", hook.command());
                h.put("timeout", hook.timeoutSeconds());
            }
            dropEmpty(events, hook.event());
        }
        return write(root);
    }

    /** The settings text without our hooks; groups, events and keys left empty are removed. */
    public static String uninstall(String settingsJson, Predicate<String> ours) {
        ObjectNode root = parse(settingsJson);
        JsonNode hooks = root.get("hooks");
        if (hooks == null || !hooks.isObject()) {
            return write(root);
        }
        ObjectNode events = (ObjectNode) hooks;
        for (String event : List.copyOf(iterable(events))) {
            removeOurs(events, event, ours);
        }
        if (events.isEmpty()) {
            root.remove("hooks");
        }
        return write(root);
    }

    /** Whether the settings hold a hook of ours, under any event. */
    public static boolean installed(String settingsJson, Predicate<String> ours) {
        for (JsonNode groups : parse(settingsJson).path("hooks")) {
            for (JsonNode group : groups) {
                for (JsonNode h : group.path("hooks")) {
                    if (ours.test(h.path("command").asText())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether two settings texts say the same (so that an install that changes nothing writes nothing). */
    public static boolean sameSettings(String a, String b) {
        return parse(a).equals(parse(b));
    }

    private static void removeOurs(ObjectNode events, String event, Predicate<String> ours) {
        JsonNode groups = events.get(event);
        if (groups == null || !groups.isArray()) {
            return;
        }
        ArrayNode arr = (ArrayNode) groups;
        for (int g = arr.size() - 1; g >= 0; g--) {
            JsonNode list = arr.get(g).path("hooks");
            if (!list.isArray()) {
                continue;
            }
            ArrayNode hooks = (ArrayNode) list;
            boolean removed = false;
            for (int i = hooks.size() - 1; i >= 0; i--) {
                if (ours.test(hooks.get(i).path("command").asText())) {
                    hooks.remove(i);
                    removed = true;
                }
            }
            if (removed && hooks.isEmpty()) {
                arr.remove(g);
            }
        }
        dropEmpty(events, event);
    }

    private static void dropEmpty(ObjectNode events, String event) {
        JsonNode groups = events.get(event);
        if (groups != null && groups.isArray() && groups.isEmpty()) {
            events.remove(event);
        }
    }

    private static List<String> iterable(ObjectNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
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
