package dev.relay.relay;

import dev.relay.anthropic.Coordinator;
import dev.relay.config.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings and the coordinator made from them. The secrets are read again when the operator resumes, and every
 * ten seconds while no API key is set, so that a key added to .env takes effect.
 */
final class Keyring {
    private static final Logger LOG = LoggerFactory.getLogger(Keyring.class);
    private static final Duration RELOAD = Duration.ofSeconds(10);

    private final Function<Settings, Optional<Coordinator>> coordinators;
    private final Function<Settings, Settings> reloader;
    private Settings settings;
    private Optional<Coordinator> coordinator = Optional.empty();
    private Instant lastReload = Instant.MIN;

    Keyring(Settings settings, Function<Settings, Optional<Coordinator>> coordinators, Function<Settings, Settings> reloader) {
        this.settings = settings;
        this.coordinators = coordinators;
        this.reloader = reloader;
    }

    Settings settings() {
        return settings;
    }

    Optional<Coordinator> coordinator() {
        return coordinator;
    }

    void open() {
        coordinator = coordinators.apply(settings);
    }

    /** True while no key is set and the last look is ten seconds old. */
    boolean lookAgain(Instant now) {
        return coordinator.isEmpty() && Duration.between(lastReload, now).compareTo(RELOAD) >= 0;
    }

    /** Reads the secrets again; true when an API key appeared. Throws when they cannot be read. */
    boolean reload(Instant now) {
        lastReload = now;
        Settings reloaded = reloader.apply(settings);
        boolean hadKey = coordinator.isPresent();
        settings = reloaded;
        coordinator = coordinators.apply(settings);
        if (!hadKey && coordinator.isPresent()) {
            LOG.info("ANTHROPIC_API_KEY found; turns resume");
            return true;
        }
        return false;
    }
}
