package dev.relay.agents;

import dev.relay.config.AgentCredential;
import dev.relay.config.Secrets;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one agent's container: the credential of this start, the agent's workspace, its start line, the runtime's
 * start. Returns how it went; the state machine ({@link AgentLifecycle}) decides what follows.
 */
final class AgentStarts {
    private static final Logger LOG = LoggerFactory.getLogger(AgentStarts.class);

    /** How a start went. */
    sealed interface Outcome {
        record Started(RunningAgent running) implements Outcome {}

        /** The runtime does not answer: the agent waits for it, and no failure of its own is counted. */
        record Unreachable(String why) implements Outcome {}

        /** The agent's own failure (a missing credential, a refused spec, the runtime's refusal): it backs off. */
        record Failed(String why) implements Outcome {}
    }

    private final Home home;
    private final Settings settings;
    private final AgentRuntime runtime;
    private final Supplier<Secrets> secrets;

    /** {@code secrets} are read at each start (the operator may add a token to .env meanwhile). */
    AgentStarts(Home home, Settings settings, AgentRuntime runtime, Supplier<Secrets> secrets) {
        this.home = home;
        this.settings = settings;
        this.runtime = runtime;
        this.secrets = secrets;
    }

    /** Starts {@code a} with {@code prompt}; its {@code claim} (if any) is dropped once the container has it. */
    Outcome start(Agent a, String prompt, Optional<String> session, Path claim, AgentListener listener) {
        Secrets current = secrets.get();
        boolean share = settings.agents().shareCoordinatorKey();
        Optional<AgentCredential> credential = AgentCredential.choose(current, share);
        if (credential.isEmpty()) {
            return new Outcome.Failed(AgentCredential.missing(current, share, home.envFile()));
        }
        try {
            AgentSpec spec = a.computed.startingWith(claim == null ? null : AgentWorkspace.entryName(claim));
            a.workspace.prepare();
            byte[] line = StartLine.encode(prompt, session, a.slug, a.config.displayName(), credential.get().secrets());
            RunningAgent r = runtime.start(spec, line, listener);
            if (claim != null) {
                a.workspace.drop(claim);   // the reply is the container's first line now
            }
            LOG.info("agent {} started in container {}{}, credential {}", a.slug, AgentRuntime.shortId(r.containerId()),
                    session.map(s -> ", resuming session " + s).orElse(", new session"), credential.get().describe());
            return new Outcome.Started(r);
        } catch (AgentRuntimeException e) {
            if (e.unreachable()) {
                LOG.warn("agent {} cannot start: {}", a.slug, e.getMessage());
                return new Outcome.Unreachable(e.getMessage());
            }
            return new Outcome.Failed(e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Outcome.Failed(e.getMessage() + " (fix config.yaml)");
        } catch (RuntimeException e) {
            LOG.error("agent {}: starting failed", a.slug, e);
            return new Outcome.Failed("starting failed: " + e);
        }
    }
}
