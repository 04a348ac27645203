package dev.relay.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/** An agent session's id; checked once here, so that no unchecked string becomes a path. */
public record SessionId(String value) implements Comparable<SessionId> {
    /** The pattern of an id, for syntaxes that embed one. */
    static final String SYNTAX = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}";
    private static final Pattern VALID = Pattern.compile(SYNTAX);

    public SessionId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException(describeProblem(value));
        }
    }

    @JsonCreator
    public static SessionId of(String raw) {
        return new SessionId(raw);
    }

    public static boolean isValid(String raw) {
        return raw != null && VALID.matcher(raw).matches();
    }

    static String describeProblem(String raw) {
        if (raw == null) {
            return "session id is missing";
        }
        if (raw.isEmpty()) {
            return "session id is empty";
        }
        if (raw.length() > 64) {
            return "session id is " + raw.length() + " characters long (at most 64)";
        }
        return "session id \"" + printable(raw) + "\" is invalid: use letters, digits, '_' and '-', starting with a letter or digit";
    }

    private static String printable(String raw) {
        StringBuilder b = new StringBuilder();
        raw.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    @JsonValue
    @Override
    public String toString() {
        return value;
    }

    @Override
    public int compareTo(SessionId o) {
        return value.compareTo(o.value);
    }
}
