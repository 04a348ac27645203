package dev.relay.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.relay.core.SessionId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One configured agent session. */
public record SessionConfig(SessionId id, Kind kind, Optional<String> name, Optional<String> image, Container container,
                            Optional<Review> review) {

    /**
     * How a container session's container is confined (each optional: the defaults are hardened). {@code memory}
     * as "2g", "512m" or bytes; {@code network} "none" or a Docker network (absent: the daemon's default); {@code env}
     * plain variables, over those of the top-level {@code container.env}.
     */
    public record Container(@JsonProperty("memory") String memory, @JsonProperty("pids_limit") Long pidsLimit,
                            @JsonProperty("network") String network, @JsonProperty("user") String user,
                            @JsonProperty("read_only") Boolean readOnly, @JsonProperty("mounts") List<Mount> mounts,
                            @JsonProperty("env") Map<String, String> env) {
        public static final Container DEFAULTS = new Container(null, null, null, null, null, null, null);

        /** An extra host directory for the container, checked against agents.mount_allowlist; read-only by default. */
        public record Mount(@JsonProperty("host") String host, @JsonProperty("container") String container,
                            @JsonProperty("read_only") Boolean readOnly) {
            public Mount {
                if (host == null || host.isBlank() || container == null || container.isBlank()) {
                    throw new IllegalArgumentException("a mount needs host and container paths");
                }
                readOnly = readOnly == null ? Boolean.TRUE : readOnly;
            }
        }

        public Container {
            mounts = mounts == null ? List.of() : List.copyOf(mounts);
            env = ContainerEnv.check(env);
            if (memory != null) {
                bytes(memory);
            }
            if (pidsLimit != null && pidsLimit < 8) {
                throw new IllegalArgumentException("pids_limit must be at least 8, not " + pidsLimit);
            }
            if (user != null && (user.equals("0") || user.startsWith("0:") || user.equals("root") || user.startsWith("root:"))) {
                throw new IllegalArgumentException("user: agents never run as root");
            }
        }

        /** "2g", "512m", "64k" or a number of bytes. */
        public static long bytes(String size) {
            String s = size.strip().toLowerCase(Locale.ROOT);
            long unit = 1;
            if (s.endsWith("g") || s.endsWith("m") || s.endsWith("k")) {
                unit = s.endsWith("g") ? 1L << 30 : s.endsWith("m") ? 1L << 20 : 1L << 10;
                s = s.substring(0, s.length() - 1);
            }
            try {
                long n = Long.parseLong(s) * unit;
                if (n < 16L << 20) {
                    throw new IllegalArgumentException("memory must be at least 16m, not " + size);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("memory must be like 2g, 512m or a number of bytes, not \"" + size + "\"");
            }
        }
    }


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
        container = container == null ? Container.DEFAULTS : container;
        review = review == null ? Optional.empty() : review;
    }

    @JsonCreator
    static SessionConfig fromYaml(@JsonProperty("id") String id, @JsonProperty("kind") Kind kind,
                                  @JsonProperty("name") String name, @JsonProperty("image") String image,
                                  @JsonProperty("container") Container container,
                                  @JsonProperty("review") Review review) {
        if (id == null) {
            throw new IllegalArgumentException("a session needs an id");
        }
        return new SessionConfig(SessionId.of(id), kind, Optional.ofNullable(name), Optional.ofNullable(image), container,
                Optional.ofNullable(review));
    }

    public static SessionConfig file(SessionId id) {
        return new SessionConfig(id, Kind.FILE, Optional.empty(), Optional.empty(), Container.DEFAULTS, Optional.empty());
    }

    /** The image a container session runs. */
    public String imageOrDefault() {
        return image.orElse("relay-agent:latest");
    }

    public String displayName() {
        return name.orElse(id.value());
    }
}
