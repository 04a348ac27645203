package dev.relay.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Which coordinator replies the operator sees before an agent does: none ({@code off}), those that ask for JC
 * ({@code needs_jc}: held for the operator instead of pausing the whole relay), or every one ({@code all}).
 */
public enum Review {
    OFF, NEEDS_JC, ALL;

    @JsonCreator
    public static Review parse(String raw) {
        for (Review r : values()) {
            if (r.wire().equals(raw)) {
                return r;
            }
        }
        throw new IllegalArgumentException("review must be off, needs_jc or all, not \"" + raw + "\"");
    }

    /** Whether a reply with this text is held: {@code needsJc} says whether it asks for JC. */
    public boolean holds(boolean needsJc) {
        return this == ALL || this == NEEDS_JC && needsJc;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
