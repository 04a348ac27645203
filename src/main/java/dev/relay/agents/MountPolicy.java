package dev.relay.agents;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which host directories an agent's container may mount besides its workspace: only under the roots of the
 * allow-list in config.yaml (which no agent can write), checked after resolving symlinks, and never a directory that
 * holds or is a credential store (.ssh, .aws, .env, the Docker socket and the like), the relay's home, or a user's
 * home directory itself.
 */
public final class MountPolicy {
    static final Set<String> BLOCKED = Set.of(".ssh", ".gnupg", ".aws", ".kube", ".docker", ".env", ".netrc", ".npmrc",
            "id_rsa", "id_ed25519", "credentials", ".git-credentials", "docker.sock", ".pgpass", ".azure", ".config/gcloud");

    private final List<Path> roots;
    private final Path relayHome;

    public MountPolicy(List<Path> allowedRoots, Path relayHome) {
        List<Path> real = new ArrayList<>();
        for (Path r : allowedRoots) {
            try {
                real.add(r.toRealPath());
            } catch (IOException e) {
                // a root that does not exist allows nothing
            }
        }
        this.roots = List.copyOf(real);
        this.relayHome = realOrSelf(relayHome);
    }

    /** A requested mount. */
    public record Request(Path host, String container, boolean readOnly) {}

    /** The mount to make, or an exception saying why not and what to do. */
    public Hardening.ExtraMount check(Request r) {
        if (!r.container().startsWith("/") || r.container().equals("/") || r.container().equals("/workspace")
                || r.container().startsWith("/proc") || r.container().startsWith("/sys") || r.container().startsWith("/dev")) {
            throw refused(r, "the container path must be an absolute directory other than /, /workspace, /proc, /sys and /dev");
        }
        Path real;
        try {
            real = r.host().toRealPath();
        } catch (IOException e) {
            throw refused(r, "it does not exist");
        }
        if (!Files.isDirectory(real)) {
            throw refused(r, "it is not a directory");
        }
        for (Path part : real) {
            if (isBlocked(part.toString())) {
                throw refused(r, "it is (or is inside) " + part + ", which holds credentials");
            }
        }
        if (real.startsWith(relayHome) || relayHome.startsWith(real)) {
            throw refused(r, "it overlaps the relay's home " + relayHome + " (state and secrets)");
        }
        if (isUserHome(real)) {
            throw refused(r, "it is a user's home directory; mount a project directory inside it instead");
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(real)) {
            for (Path c : children) {
                if (isBlocked(c.getFileName().toString())) {
                    throw refused(r, "it contains " + c.getFileName() + ", which holds credentials");
                }
            }
        } catch (IOException e) {
            throw refused(r, "it cannot be read: " + e.getMessage());
        }
        if (roots.stream().noneMatch(real::startsWith)) {
            throw refused(r, "it is not under a directory of agents.mount_allowlist in config.yaml"
                    + (roots.isEmpty() ? " (the list is empty)" : " " + roots));
        }
        return new Hardening.ExtraMount(real, r.container(), r.readOnly());
    }

    private static boolean isBlocked(String name) {
        return BLOCKED.contains(name.toLowerCase(Locale.ROOT)) || name.equals("docker.sock");
    }

    private static boolean isUserHome(Path real) {
        Path parent = real.getParent();
        return real.equals(Path.of("/root")) || (parent != null && parent.equals(Path.of("/home")))
                || real.equals(realOrSelf(Path.of(System.getProperty("user.home"))));
    }

    private static Path realOrSelf(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static IllegalArgumentException refused(Request r, String why) {
        return new IllegalArgumentException("mount " + r.host() + " -> " + r.container() + " refused: " + why);
    }
}
