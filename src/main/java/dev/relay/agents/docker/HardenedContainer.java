package dev.relay.agents.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.relay.agents.AgentSpec;
import dev.relay.agents.Hardening;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An agent's container as Docker creates it: its workspace at /workspace and the allowed extra mounts, no
 * capabilities, no new privileges, a private /tmp, memory and process limits, stdin open for the start line.
 */
final class HardenedContainer {
    static final String WORKSPACE = "/workspace";

    private HardenedContainer() {}

    /** Creates the container (not started); returns its id. */
    static String create(DockerClient control, AgentSpec spec) {
        Hardening h = spec.hardening();
        List<Bind> binds = new ArrayList<>();
        binds.add(new Bind(spec.workspace().toAbsolutePath().toString(), new Volume(WORKSPACE), AccessMode.rw));
        for (Hardening.ExtraMount m : h.extraMounts()) {
            binds.add(new Bind(m.host().toString(), new Volume(m.container()), m.readOnly() ? AccessMode.ro : AccessMode.rw));
        }
        HostConfig host = HostConfig.newHostConfig()
                .withBinds(binds)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withReadonlyRootfs(h.readOnlyRoot())
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=512m"))
                .withMemory(h.memoryBytes())
                .withMemorySwap(h.memoryBytes())
                .withPidsLimit(h.pidsLimit());
        if (h.network() != null) {
            host = host.withNetworkMode(h.network());
        }
        List<String> env = new ArrayList<>();
        spec.env().forEach((k, v) -> env.add(k + "=" + v));
        String name = "relay-" + spec.slug() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        return control.createContainerCmd(spec.image())
                .withName(name)
                .withLabels(spec.labels())
                .withUser(h.user())
                .withWorkingDir(WORKSPACE)
                .withEnv(env)
                .withStdinOpen(true)
                .withStdInOnce(false)
                .withAttachStdin(true)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withTty(false)
                .withHostConfig(host)
                .exec().getId();
    }
}
