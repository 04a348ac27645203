package dev.relay.agents.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.relay.agents.AgentExit;
import dev.relay.agents.AgentListener;
import dev.relay.agents.AgentRuntime;
import dev.relay.agents.AgentRuntimeException;
import dev.relay.agents.AgentSpec;
import dev.relay.agents.AgentSupervisor;
import dev.relay.agents.RunningAgent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AgentRuntime} over the Docker Engine API (docker-java, Apache HttpClient 5 transport). The daemon is found as
 * the docker CLI finds it ({@code DOCKER_HOST}, else the default socket).
 */
public final class DockerAgentRuntime implements AgentRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(DockerAgentRuntime.class);

    private final DockerClient control;   // short calls: every one has a response timeout
    private final DockerClient streams;   // attach streams: silent for as long as the agent thinks
    private final String where;

    private DockerAgentRuntime(DockerClientConfig config) {
        this.where = config.getDockerHost().toString();
        this.control = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).maxConnections(20)
                .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(60)).build());
        this.streams = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).maxConnections(100)
                .connectionTimeout(Duration.ofSeconds(5)).build());
    }

    /** The daemon of {@code DOCKER_HOST}, else the default socket. Nothing is contacted until the first call. */
    public static DockerAgentRuntime fromEnvironment() {
        return new DockerAgentRuntime(DefaultDockerClientConfig.createDefaultConfigBuilder().build());
    }

    @Override
    public void ping() {
        try {
            control.pingCmd().exec();
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    private AgentRuntimeException unreachable(RuntimeException e) {
        return new AgentRuntimeException("Docker is unreachable at " + where + " (" + rootMessage(e)
                + "): is dockerd running, and may this user use its socket?", true, e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public RunningAgent start(AgentSpec spec, byte[] startLine, AgentListener listener) {
        OneLineInput stdin = new OneLineInput(startLine);
        String id = null;
        try {
            id = HardenedContainer.create(control, spec);
            Attachment attachment = new Attachment(spec.slug(), id, listener, this::exitOf);
            streams.attachContainerCmd(id).withStdIn(stdin).withStdOut(true).withStdErr(true).withFollowStream(true)
                    .exec(attachment);
            if (!attachment.awaitStarted(30, TimeUnit.SECONDS)) {
                throw new AgentRuntimeException("attaching to the container of " + spec.slug() + " timed out", false, null);
            }
            control.startContainerCmd(id).exec();
            LOG.info("agent {}: container {} started from {}", spec.slug(), AgentRuntime.shortId(id), spec.image());
            return new Running(id, attachment, stdin);
        } catch (RuntimeException | InterruptedException e) {
            stdin.close();
            removeQuietly(id);
            throw startFailure(spec, e);
        }
    }

    private AgentRuntimeException startFailure(AgentSpec spec, Exception e) {
        if (e instanceof NotFoundException) {
            return new AgentRuntimeException("image " + spec.image() + " not found for agent " + spec.slug()
                    + ": build it (docker build -t " + spec.image() + " agent-container/)", false, e);
        } else if (e instanceof DockerException) {
            return new AgentRuntimeException("Docker refused to start agent " + spec.slug() + ": " + e.getMessage(), false, e);
        } else if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new AgentRuntimeException("interrupted while starting agent " + spec.slug(), false, e);
        } else if (e instanceof AgentRuntimeException are) {
            return are;
        }
        return unreachable((RuntimeException) e);
    }

    @Override
    public List<Container> list(Map<String, String> labels) {
        try {
            List<Container> out = new ArrayList<>();
            for (com.github.dockerjava.api.model.Container c : control.listContainersCmd().withShowAll(true)
                    .withLabelFilter(labels).exec()) {
                out.add(new Container(c.getId(), c.getLabels() == null ? Map.of() : Map.copyOf(c.getLabels()),
                        "running".equals(c.getState()), c.getStatus()));
            }
            return out;
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    @Override
    public RunningAgent reattach(String containerId, AgentListener listener) {
        try {
            String slug = Optional.ofNullable(control.inspectContainerCmd(containerId).exec().getConfig().getLabels())
                    .map(l -> l.get(AgentSupervisor.AGENT_LABEL)).orElse(AgentRuntime.shortId(containerId));
            Attachment attachment = new Attachment(slug, containerId, listener, this::exitOf);
            streams.attachContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(true)
                    .exec(attachment);
            if (!attachment.awaitStarted(30, TimeUnit.SECONDS)) {
                throw new AgentRuntimeException("re-attaching to container " + AgentRuntime.shortId(containerId) + " timed out", false, null);
            }
            return new Running(containerId, attachment, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentRuntimeException("interrupted", false, e);
        } catch (DockerException e) {
            throw new AgentRuntimeException("cannot re-attach to container " + AgentRuntime.shortId(containerId) + ": " + e.getMessage(), false, e);
        } catch (AgentRuntimeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    @Override
    public void remove(String containerId) {
        try {
            control.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (DockerException e) {
            throw new AgentRuntimeException("cannot remove container " + AgentRuntime.shortId(containerId) + ": " + e.getMessage(), false, e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    /** The exit of a container that has stopped: its code, and whether the kernel killed it for memory. */
    AgentExit exitOf(String id) {
        try {
            Integer code = control.waitContainerCmd(id).start().awaitStatusCode(60, TimeUnit.SECONDS);
            InspectContainerResponse.ContainerState state = control.inspectContainerCmd(id).exec().getState();
            long exit = state.getExitCodeLong() != null ? state.getExitCodeLong() : code == null ? -1 : code;
            return new AgentExit(exit, Boolean.TRUE.equals(state.getOOMKilled()));
        } catch (NotFoundException e) {
            return new AgentExit(-1, false);
        } catch (RuntimeException e) {
            LOG.warn("cannot read the exit of container {}: {}", AgentRuntime.shortId(id), e.getMessage());
            return new AgentExit(-1, false);
        }
    }

    @Override
    public void close() {
        try {
            control.close();
            streams.close();
        } catch (IOException e) {
            LOG.debug("closing the Docker clients", e);
        }
    }

    /** A started container: stopping goes through the daemon; the attach stream reports the rest. */
    private final class Running implements RunningAgent {
        private final String id;
        private final Attachment attachment;
        private final OneLineInput stdin;

        Running(String id, Attachment attachment, OneLineInput stdin) {
            this.id = id;
            this.attachment = attachment;
            this.stdin = stdin;
        }

        @Override
        public String containerId() {
            return id;
        }

        @Override
        public void stop(Duration grace) {
            try {
                control.stopContainerCmd(id).withTimeout((int) Math.max(1, grace.toSeconds())).exec();
            } catch (NotFoundException e) {
                // gone already
            } catch (NotModifiedException e) {
                // not running any more
            } catch (RuntimeException e) {
                throw unreachable(e);
            } finally {
                if (stdin != null) {
                    stdin.close();
                }
            }
        }

        @Override
        public void detach() {
            attachment.detach();
            try {
                attachment.close();
            } catch (IOException e) {
                LOG.debug("detaching from {}: {}", AgentRuntime.shortId(id), e.toString());
            }
            if (stdin != null) {
                stdin.close();
            }
        }
    }
}
