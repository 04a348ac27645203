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

    /** A command run in this JVM on {@code home}, as a user types it: "CODE:" then what it printed (out, then err). */
    static String cli(Path home, String... args) {
        dev.relay.testing.RelayCli.Result r = dev.relay.testing.RelayCli.run(home, args);
        return r.code() + ":" + r.out() + r.err();
    }

    /** A file's text, or a note that it is not there (for failure messages). */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file + ")";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * The JVM flags the launchers give: jbang/relay.java's //RUNTIME_OPTIONS (the README's systemd unit gives the same,
     * ReadmeSystemdTest sees to it), or -Drelay.launcher.flags="..." to measure others.
     */
    static final List<String> LAUNCHER_FLAGS = List.of(System.getProperty("relay.launcher.flags",
            String.join(" ", launcherFlags())).split(" "));

    /** The flags of jbang/relay.java's //RUNTIME_OPTIONS line. */
    static List<String> launcherFlags() {
        return dev.relay.testing.LauncherFlags.ofJbangScript();
    }

    /** Tests start it with flags that make a JVM start fast. */
    private static final List<String> TEST_FLAGS = List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1");

    static Process start(Path home, Map<String, String> env, Path output, String... args) {
        return start(List.of(), home, env, output, args);
    }

    /** With these JVM flags only, as a user's launcher would start it. */
    static Process startWith(List<String> jvmFlags, Path home, Map<String, String> env, Path output, String... args) {
        return startJar(JAR, jvmFlags, home, env, output, args);
    }

    /** Another build of Relay (a benchmark's baseline), with these JVM flags. */
    static Process startJar(Path jar, List<String> jvmFlags, Path home, Map<String, String> env, Path output, String... args) {
        return start(jar, List.of(), jvmFlags, home, env, output, args);
    }

    /**
     * Starts a copy of the jar under {@code prefix} (another user, say): a checkout in a private directory (mktemp -d
     * makes one 0700) is out of that user's reach, so the jar is copied into {@code readableDir} first.
     */
    static Process startCopyAs(List<String> prefix, Path readableDir, Path home, Map<String, String> env, Path output,
            String... args) {
        Path copy = readableDir.resolve("relay.jar");
        try {
            if (!Files.exists(copy)) {
                Files.copy(JAR, copy);
            }
            Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start(copy, prefix, TEST_FLAGS, home, env, output, args);
    }

    /** Starts it under {@code prefix} (say, {@code setpriv --reuid=65534 ...} to run it as another user). */
    static Process start(List<String> prefix, Path home, Map<String, String> env, Path output, String... args) {
        return start(JAR, prefix, TEST_FLAGS, home, env, output, args);
    }

    private static Process start(Path jar, List<String> prefix, List<String> jvmFlags, Path home, Map<String, String> env,
            Path output, String... args) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run in `mvn verify`, after `package`");
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-jar");
        command.add(jar.toString());
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
