package dev.relay.agents;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's output, logs/agents/SLUG.log: one line per output line, result or error, as
 * {@code "<instant> out|err|result|error <text>"}, with one rotation to SLUG.1.log past 5 MB. The one place that knows
 * the format: the supervisor appends, the console and `relay agent` parse with {@link Entry#parse}.
 */
public final class AgentLog {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLog.class);
    static final long MAX_BYTES = 5L << 20;

    /** What a line holds: the agent's stdout or stderr, a result, an error it reported. */
    public enum Kind {
        OUT("out"), ERR("err"), RESULT("result"), ERROR("error");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        static Optional<Kind> of(String wire) {
            for (Kind k : values()) {
                if (k.wire.equals(wire)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /** One line of the log; {@code at} as written (an ISO instant). */
    public record Entry(String at, Kind kind, String text) {
        /** Empty for a line of no known form. */
        public static Optional<Entry> parse(String line) {
            String[] parts = line.split(" ", 3);
            return parts.length < 3 ? Optional.empty() : Kind.of(parts[1]).map(k -> new Entry(parts[0], k, parts[2]));
        }

        String line() {
            return at + " " + kind.wire + " " + text.replace('\n', ' ') + "\n";
        }
    }

    private final Home home;
    private final Clock clock;

    AgentLog(Home home, Clock clock) {
        this.home = home;
        this.clock = clock;
    }

    public static Path file(Home home, SessionId agent) {
        return home.agentLogFile(agent);
    }

    /** Appends one line (a text of several is written as one); a log that cannot be written is skipped. */
    void append(SessionId agent, Kind kind, String text) {
        Path log = file(home, agent);
        try {
            Files.createDirectories(log.getParent());
            if (Files.exists(log) && Files.size(log) > MAX_BYTES) {
                Files.move(log, log.resolveSibling(agent.value() + ".1.log"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(log, new Entry(clock.instant().toString(), kind, text).line(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.debug("cannot write {}: {}", log, e.getMessage());
        }
    }
}
