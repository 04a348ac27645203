package dev.relay.agents;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The user an agent's container runs as ("uid" or "uid:gid"), parsed once. {@code chown}: the relay runs as root, so
 * what it writes for the agent must be given to this user.
 */
record AgentUser(String spec, int uid, int gid, boolean chown) {
    static AgentUser parse(String spec, boolean relayIsRoot) {
        String[] parts = spec.split(":");
        try {
            int uid = Integer.parseInt(parts[0]);
            return new AgentUser(spec, uid, parts.length > 1 ? Integer.parseInt(parts[1]) : uid, relayIsRoot);
        } catch (NumberFormatException e) {
            return new AgentUser(spec, -1, -1, relayIsRoot);   // a name: fine for Docker, but nothing to chown to
        }
    }

    void own(Path p) throws IOException {
        if (chown) {
            if (uid < 0) {
                throw new IOException("the container user \"" + spec + "\" is not numeric, so the relay (root) cannot give it " + p);
            }
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
