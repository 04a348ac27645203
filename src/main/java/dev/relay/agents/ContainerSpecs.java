package dev.relay.agents;

import dev.relay.config.SessionConfig;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a container session runs as, computed once per agent from config.yaml, the hardening defaults and the mount
 * allow-list: its {@link AgentSpec} (but for the label of the reply it starts with) and its user. A session whose
 * settings are refused (a mount outside the allow-list, a root user) keeps the reason, given at each start.
 */
final class ContainerSpecs {
    /** One agent's spec and user, or why it cannot start. */
    record Computed(AgentSpec spec, AgentUser user, String refused) {
        AgentSpec startingWith(String entryName) {
            if (refused != null) {
                throw new IllegalArgumentException(refused);
            }
            if (entryName == null) {
                return spec;
            }
            Map<String, String> labels = new HashMap<>(spec.labels());
            labels.put(AgentSupervisor.ENTRY_LABEL, entryName);
            return new AgentSpec(spec.slug(), spec.name(), spec.image(), spec.workspace(), spec.hardening(), labels, spec.env());
        }
    }

    private ContainerSpecs() {}

    static Computed compute(Home home, Settings settings, SessionConfig config, HostUser host) {
        SessionConfig.Container c = config.container();
        String slug = config.id().value();
        AgentUser user = user(config, host);
        try {
            Hardening d = Hardening.DEFAULT;
            MountPolicy policy = new MountPolicy(settings.agents().mountAllowlist(), home.root());
            List<Hardening.ExtraMount> mounts = new ArrayList<>();
            for (SessionConfig.Container.Mount m : c.mounts()) {
                mounts.add(policy.check(new MountPolicy.Request(Path.of(m.host()), m.container(), m.readOnly())));
            }
            Hardening h = new Hardening(user.spec(),
                    c.memory() != null ? SessionConfig.Container.bytes(c.memory()) : d.memoryBytes(),
                    c.pidsLimit() != null ? c.pidsLimit() : d.pidsLimit(),
                    c.readOnly() != null ? c.readOnly() : d.readOnlyRoot(),
                    c.network(), mounts);
            Map<String, String> labels = Map.of(AgentSupervisor.HOME_LABEL, homeLabel(home), AgentSupervisor.AGENT_LABEL, slug);
            return new Computed(new AgentSpec(slug, config.displayName(), config.imageOrDefault(), home.agentsDir().resolve(slug),
                    h, labels, environment(settings, config)), user, null);
        } catch (IllegalArgumentException e) {
            return new Computed(null, user, e.getMessage());
        }
    }

    /** The user the session's container runs as: config.yaml's, else the relay's own (see {@link HostUser}). */
    static AgentUser user(SessionConfig config, HostUser host) {
        String configured = config.container().user();
        return AgentUser.parse(configured != null ? configured : host.defaultAgentUser(), host.root());
    }

    static String homeLabel(Home home) {
        return home.root().toAbsolutePath().normalize().toString();
    }

    /**
     * The operator's container.env, with RELAY_AGENT_ENV naming those variables (the agent program passes them on to
     * Claude Code, whose environment is an allow-list otherwise), and HOME.
     */
    private static Map<String, String> environment(Settings settings, SessionConfig config) {
        Map<String, String> plain = settings.containerEnv(config);
        Map<String, String> env = new TreeMap<>(plain);
        if (!plain.isEmpty()) {
            env.put("RELAY_AGENT_ENV", String.join(",", plain.keySet()));
        }
        // the SDK keeps its sessions under HOME: in the workspace, so that a resume finds them
        env.put("HOME", "/workspace/.home");
        return env;
    }
}
