package dev.relay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The JVM flags the launchers give Relay: jbang/relay.java's //RUNTIME_OPTIONS (the README's systemd unit gives the same). */
public final class LauncherFlags {
    private static final String DIRECTIVE = "//RUNTIME_OPTIONS ";

    private LauncherFlags() {}

    public static List<String> ofJbangScript() {
        try {
            return Files.readAllLines(Path.of("jbang", "relay.java")).stream()
                    .filter(l -> l.startsWith(DIRECTIVE))
                    .flatMap(l -> Arrays.stream(l.substring(DIRECTIVE.length()).trim().split("\\s+")))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
