package dev.relay.tui;

import dev.relay.trail.Trail;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message of the trail that no longer waits (answered, dispatched, read, cancelled): its name, its session and its
 * last step. A dispatch or a read names only its reply's digest: it counts as a step of the message that reply
 * answers ({@link Trail#of} joins them the same way), never as a message of its own.
 */
record Recent(String name, String session, Trail.Step last, String text) {
    /** The last {@code limit} messages of {@code steps} not among {@code waiting}, the most recently stepped first. */
    static List<Recent> of(List<Trail.Step> steps, Collection<String> waiting, int limit) {
        Map<String, String> byReply = new HashMap<>();
        Map<String, Integer> lastAt = new LinkedHashMap<>();
        Map<String, Trail.Step> last = new HashMap<>();
        Map<String, String> session = new HashMap<>();
        Map<String, String> text = new HashMap<>();
        for (int n = 0; n < steps.size(); n++) {
            Trail.Step s = steps.get(n);
            String name = s.message();
            if (name != null && s.reply() != null) {
                byReply.putIfAbsent(s.reply(), name);
            }
            if (name == null && s.reply() != null) {
                name = byReply.get(s.reply());
            }
            if (name == null || waiting.contains(name)) {
                continue;
            }
            lastAt.put(name, n);
            last.put(name, s);
            if (s.session() != null) {
                session.put(name, s.session());
            }
            if (s.text() != null && s.message() != null) {
                text.putIfAbsent(name, s.text());
            }
        }
        List<String> names = new ArrayList<>(lastAt.keySet());
        names.sort((a, b) -> Integer.compare(lastAt.get(b), lastAt.get(a)));
        List<Recent> out = new ArrayList<>();
        for (String name : names.subList(0, Math.min(limit, names.size()))) {
            out.add(new Recent(name, session.get(name), last.get(name), text.get(name)));
        }
        return out;
    }
}
