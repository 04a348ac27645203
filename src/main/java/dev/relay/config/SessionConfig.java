package dev.relay.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.relay.core.SessionId;
import java.util.Locale;
import java.util.Optional;

/** One configured agent session. */
public record SessionConfig(SessionId id, Kind kind, Optional<String> name, Optional<String> image) {

    public enum Kind {
        FILE, CONTAINER;

        @JsonCreator
        static Kind parse(String raw) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(raw)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("kind must be file or container, not \"" + raw + "\"");
        }

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SessionConfig {
        if (id == null) {
            throw new IllegalArgumentException("a session needs an id");
        }
        kind = kind == null ? Kind.FILE : kind;
        name = name == null ? Optional.empty() : name;
        image = image == null ? Optional.empty() : image;
    }

    @JsonCreator
    static SessionConfig fromYaml(@JsonProperty("id") String id, @JsonProperty("kind") Kind kind,
                                  @JsonProperty("name") String name, @JsonProperty("image") String image) {
        if (id == null) {
            throw new IllegalArgumentException("a session needs an id");
        }
        return new SessionConfig(SessionId.of(id), kind, Optional.ofNullable(name), Optional.ofNullable(image));
    }

    public static SessionConfig file(SessionId id) {
        return new SessionConfig(id, Kind.FILE, Optional.empty(), Optional.empty());
    }

    public String displayName() {
        return name.orElse(id.value());
    }
}
