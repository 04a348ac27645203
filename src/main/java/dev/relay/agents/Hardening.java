package dev.relay.agents;

import java.util.List;
import java.util.Objects;

/**
 * How an agent's container is confined (OWASP's Docker rules): a non-root user, every capability dropped,
 * no-new-privileges, a read-only root with a private /tmp, memory and process limits, and no mount but the agent's
 * workspace and allowed extras.
 *
 * @param network the container's network ("none" for none; null for the daemon's default)
 */
public record Hardening(String user, long memoryBytes, long pidsLimit, boolean readOnlyRoot, String network,
                        List<ExtraMount> extraMounts) {
    public static final Hardening DEFAULT = new Hardening("1000:1000", 2L << 30, 512, true, null, List.of());

    public Hardening {
        Objects.requireNonNull(user, "user");
        if (user.isBlank() || user.equals("0") || user.startsWith("0:") || user.equals("root") || user.startsWith("root:")) {
            throw new IllegalArgumentException("agents never run as root (user \"" + user + "\")");
        }
        if (memoryBytes < 16L << 20) {
            throw new IllegalArgumentException("memory limit " + memoryBytes + " bytes is below 16 MiB");
        }
        if (pidsLimit < 8) {
            throw new IllegalArgumentException("pids limit " + pidsLimit + " is below 8");
        }
        extraMounts = extraMounts == null ? List.of() : List.copyOf(extraMounts);
    }

    public Hardening withMemory(long bytes) {
        return new Hardening(user, bytes, pidsLimit, readOnlyRoot, network, extraMounts);
    }

    public Hardening withNetwork(String net) {
        return new Hardening(user, memoryBytes, pidsLimit, readOnlyRoot, net, extraMounts);
    }

    /** A host directory mounted into the container (read-only unless said), already checked against the allow-list. */
    public record ExtraMount(java.nio.file.Path host, String container, boolean readOnly) {}
}
