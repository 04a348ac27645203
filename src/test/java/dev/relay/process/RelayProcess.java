package dev.relay.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** target/relay.jar started as a real process, the way systemd or a user would. */
final class RelayProcess {
    static final Path JAR = Path.of("target", "relay.jar").toAbsolutePath();

    private RelayProcess() {}

    static Process start(Path home, Map<String, String> env, Path output, String... args) {
        return start(List.of(), home, env, output, args);
    }

    /** Starts it under {@code prefix} (say, {@code setpriv --reuid=65534 ...} to run it as another user). */
    static Process start(List<String> prefix, Path home, Map<String, String> env, Path output, String... args) {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: these tests run in `mvn verify`, after `package`");
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(JAR.toString());
        command.add("--home");
        command.add(home.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("ANTHROPIC_") || k.startsWith("NTFY_") || k.startsWith("RELAY_")
                || k.startsWith("TRACKER_") || k.startsWith("AGENT_ANTHROPIC_") || k.equals("CLAUDE_CODE_OAUTH_TOKEN"));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
