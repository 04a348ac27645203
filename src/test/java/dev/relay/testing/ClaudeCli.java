package dev.relay.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real Claude Code CLI headless, in a clean environment pointed at a fake API (see {@link FakeClaudeModel}).
 * The binary comes from -Drelay.claude, $RELAY_CLAUDE, the install of {@code bash .ci/claude-code}, or the PATH.
 */
public final class ClaudeCli {
    public static final String VERSION = "2.1.328";
    public static final String FIX = "run `bash .ci/claude-code` (installs @anthropic-ai/claude-code@" + VERSION
            + " with npm), or point -Drelay.claude or RELAY_CLAUDE at a claude binary";

    private ClaudeCli() {}

    /** How one run ended, with everything it printed. */
    public record Result(int exitCode, String stdout, String stderr, boolean timedOut) {
        public Result {
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }
    }

    /** The first executable claude of: -Drelay.claude, $RELAY_CLAUDE, .ci/claude-code's install, the PATH. */
    /**
     * For a test that needs the real CLI: on CI a missing CLI fails the test (a broken setup, not a reason to skip);
     * elsewhere it is skipped, saying how to install it.
     */
    public static void assumeInstalled() {
        if (find().isEmpty()) {
            String message = "Claude Code CLI not found: " + FIX;
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(message);
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, message);
        }
    }

    public static Optional<Path> find() {
        return candidates().stream().filter(ClaudeCli::executable).findFirst();
    }

    public static Path require() {
        return find().orElseThrow(() -> new IllegalStateException("Claude Code CLI not found (looked at "
                + String.join(", ", candidates().stream().map(Path::toString).toList()) + " and claude on the PATH): " + FIX));
    }

    /** Where .ci/claude-code installs to: ${RELAY_CLAUDE_DIR:-$HOME/.cache/relay-ci/claude-code}. */
    public static Path installDir() {
        String dir = System.getenv("RELAY_CLAUDE_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        // the script's $HOME, which need not be the passwd entry that user.home comes from
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".cache", "relay-ci", "claude-code");
    }

    /**
     * Runs {@code claude args...} in {@code project} with only PATH, LANG, HOME, the API settings and {@code extraEnv}
     * (which wins) in its environment and an empty stdin; on timeout the whole process tree is killed.
     */
    public static Result run(Path project, Path home, String baseUrl, Duration timeout, Map<String, String> extraEnv,
            String... args) throws IOException, InterruptedException {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(extraEnv, "extraEnv");
        Objects.requireNonNull(args, "args");
        if (!Files.isDirectory(project)) {
            throw new IllegalArgumentException("project is not a directory: " + project);
        }
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("baseUrl is required");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.addAll(List.of(args));

        Map<String, String> env = new LinkedHashMap<>();
        String path = System.getenv("PATH");
        env.put("PATH", path != null ? path : "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("HOME", home.toString());
        env.put("ANTHROPIC_BASE_URL", baseUrl);
        env.put("ANTHROPIC_API_KEY", "sk-ant-test");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.putAll(extraEnv);

        Path io = Files.createTempDirectory("relay-claude-cli");
        try {
            Path stdout = io.resolve("stdout");
            Path stderr = io.resolve("stderr");
            ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            // an empty stdin: -p would otherwise wait for piped input that never comes
            process.getOutputStream().close();
            boolean timedOut;
            try {
                timedOut = !process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                killTree(process);
                throw e;
            }
            if (timedOut) {
                killTree(process);
            }
            return new Result(process.exitValue(), read(stdout), read(stderr), timedOut);
        } finally {
            delete(io);
        }
    }

    private static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String property = System.getProperty("relay.claude");
        if (property != null && !property.isBlank()) {
            out.add(Path.of(property));
        }
        String env = System.getenv("RELAY_CLAUDE");
        if (env != null && !env.isBlank()) {
            out.add(Path.of(env));
        }
        out.add(installDir().resolve("node_modules").resolve(".bin").resolve("claude"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    out.add(Path.of(dir, "claude"));
                }
            }
        }
        return out;
    }

    private static boolean executable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    /** Descendants first, taken before the parent dies: after that they are reparented and no longer found. */
    private static void killTree(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("claude (pid " + process.pid() + ") survived SIGKILL for 10 s");
        }
    }

    private static String read(Path p) throws IOException {
        // not readString: output cut off by a kill may end inside a UTF-8 sequence
        return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
