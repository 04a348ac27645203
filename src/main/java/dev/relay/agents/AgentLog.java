package dev.relay.agents;

import dev.relay.core.Home;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An agent's output, kept in logs/agents/SLUG.log as "INSTANT line" (one rotation to SLUG.1.log at 5 MB). */
final class AgentLog {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLog.class);
    static final long MAX_BYTES = 5L << 20;

    private final Home home;
    private final Clock clock;

    AgentLog(Home home, Clock clock) {
        this.home = home;
        this.clock = clock;
    }

    void append(String slug, String line) {
        Path log = home.logsDir().resolve("agents").resolve(slug + ".log");
        try {
            Files.createDirectories(log.getParent());
            if (Files.exists(log) && Files.size(log) > MAX_BYTES) {
                Files.move(log, log.resolveSibling(slug + ".1.log"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(log, clock.instant() + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.debug("cannot write {}: {}", log, e.getMessage());
        }
    }
}
