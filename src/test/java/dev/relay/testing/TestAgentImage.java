package dev.relay.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The container tests' image, relay-test-agent:latest, built locally (no registry is reachable): a root directory
 * with Debian's static busybox and the protocol script of src/test/docker/relay-test-agent/, imported with
 * `docker import`. Built once per daemon; rebuilt when the script changes (its digest is in the tag's label).
 */
public final class TestAgentImage {
    public static final String IMAGE = "relay-test-agent:latest";
    private static final Path SCRIPT = Path.of("src", "test", "docker", "relay-test-agent", "agent");
    private static final String[] APPLETS = {"sh", "sed", "cat", "ls", "grep", "sort", "rm", "mv", "mkdir", "sleep",
        "head", "tail", "printf", "env", "date", "echo", "id", "touch"};
    private static boolean built;

    private TestAgentImage() {}

    public static synchronized String ensure() {
        if (built) {
            return IMAGE;
        }
        try {
            String digest = dev.relay.core.Keys.digest(Files.readString(SCRIPT));
            String current = run(List.of("docker", "image", "inspect", "-f", "{{index .Config.Labels \"script\"}}", IMAGE), true);
            if (!current.strip().equals(digest)) {
                String previous = run(List.of("docker", "image", "inspect", "-f", "{{.Id}}", IMAGE), true).strip();
                build(digest);
                if (!previous.isEmpty()) {
                    // the image of an older script, untagged now: removed unless a container still uses it
                    run(List.of("docker", "image", "rm", previous), true);
                }
            }
            built = true;
            return IMAGE;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build " + IMAGE + ": " + e.getMessage(), e);
        }
    }

    private static void build(String digest) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new IllegalStateException("/bin/busybox is missing: install Debian's busybox-static (.ci/docker-up does)");
        }
        Path root = Files.createTempDirectory("relay-test-agent");
        try {
            Path bin = Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("workspace"));
            Path tmp = Files.createDirectories(root.resolve("tmp"));
            Files.copy(busybox, bin.resolve("busybox"));
            for (String applet : APPLETS) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
            Files.copy(SCRIPT, bin.resolve("agent"));
            Files.setPosixFilePermissions(bin.resolve("agent"), PosixFilePermissions.fromString("rwxr-xr-x"));
            // a non-root user runs nothing in a root it cannot enter
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            String tar = root + ".tar";
            run(List.of("tar", "-C", root.toString(), "-cf", tar, "."), false);
            run(List.of("docker", "import", "-c", "ENV PATH=/bin", "-c", "ENTRYPOINT [\"/bin/agent\"]",
                    "-c", "LABEL script=" + digest, tar, IMAGE), false);
            Files.deleteIfExists(Path.of(tar));
        } finally {
            try (var walk = Files.walk(root)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String run(List<String> command, boolean mayFail) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0 && !mayFail) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out
                    + " (is a Docker daemon running? `bash .ci/docker-up` starts one)");
        }
        return p.exitValue() == 0 ? out : "";
    }
}
