package dev.relay.cli;

import dev.relay.core.Home;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** --home DIR, else $RELAY_HOME, else the current directory (CONTRACT section 1). */
public final class HomeOption {
    @Option(names = "--home", paramLabel = "DIR", description = "The relay home (default: $RELAY_HOME, else the current directory).")
    Path home;

    Home resolve(Map<String, String> env) {
        if (home != null) {
            return new Home(home);
        }
        String fromEnv = env.get("RELAY_HOME");
        return new Home(fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : Path.of(""));
    }
}
