package dev.relay.agents.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.relay.agents.AgentExit;
import dev.relay.agents.AgentListener;
import dev.relay.agents.AgentOutput;
import dev.relay.agents.AgentRuntime;
import dev.relay.agents.AgentRuntimeException;
import dev.relay.agents.AgentSpec;
import dev.relay.agents.AgentSupervisor;
import dev.relay.agents.Hardening;
import dev.relay.agents.OutputParser;
import dev.relay.agents.RunningAgent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AgentRuntime} over the Docker Engine API (docker-java, Apache HttpClient 5 transport). The daemon is found as
 * the docker CLI finds it ({@code DOCKER_HOST}, else the default socket).
 */
public final class DockerAgentRuntime implements AgentRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(DockerAgentRuntime.class);
    static final String WORKSPACE = "/workspace";

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
            id = create(spec);
            Attachment attachment = new Attachment(spec.slug(), id, listener);
            streams.attachContainerCmd(id).withStdIn(stdin).withStdOut(true).withStdErr(true).withFollowStream(true)
                    .exec(attachment);
            if (!attachment.awaitStarted(30, TimeUnit.SECONDS)) {
                throw new AgentRuntimeException("attaching to the container of " + spec.slug() + " timed out", false, null);
            }
            control.startContainerCmd(id).exec();
            LOG.info("agent {}: container {} started from {}", spec.slug(), shortId(id), spec.image());
            return new Running(id, attachment, stdin);
        } catch (NotFoundException e) {
            stdin.close();
            removeQuietly(id);
            throw new AgentRuntimeException("image " + spec.image() + " not found for agent " + spec.slug()
                    + ": build it (docker build -t " + spec.image() + " agent-container/)", false, e);
        } catch (DockerException e) {
            stdin.close();
            removeQuietly(id);
            throw new AgentRuntimeException("Docker refused to start agent " + spec.slug() + ": " + e.getMessage(), false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stdin.close();
            removeQuietly(id);
            throw new AgentRuntimeException("interrupted while starting agent " + spec.slug(), false, e);
        } catch (AgentRuntimeException e) {
            stdin.close();
            removeQuietly(id);
            throw e;
        } catch (RuntimeException e) {
            stdin.close();
            removeQuietly(id);
            throw unreachable(e);
        }
    }

    private String create(AgentSpec spec) {
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
        CreateContainerCmd cmd = control.createContainerCmd(spec.image())
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
                .withHostConfig(host);
        return cmd.exec().getId();
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
                    .map(l -> l.get(AgentSupervisor.AGENT_LABEL)).orElse(shortId(containerId));
            Attachment attachment = new Attachment(slug, containerId, listener);
            streams.attachContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(true)
                    .exec(attachment);
            if (!attachment.awaitStarted(30, TimeUnit.SECONDS)) {
                throw new AgentRuntimeException("re-attaching to container " + shortId(containerId) + " timed out", false, null);
            }
            return new Running(containerId, attachment, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentRuntimeException("interrupted", false, e);
        } catch (DockerException e) {
            throw new AgentRuntimeException("cannot re-attach to container " + shortId(containerId) + ": " + e.getMessage(), false, e);
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
            throw new AgentRuntimeException("cannot remove container " + shortId(containerId) + ": " + e.getMessage(), false, e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    private void removeQuietly(String id) {
        if (id == null) {
            return;
        }
        try {
            control.removeContainerCmd(id).withForce(true).exec();
        } catch (RuntimeException e) {
            LOG.warn("cannot remove the container {} of a failed start: {}", shortId(id), e.getMessage());
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
            LOG.warn("cannot read the exit of container {}: {}", shortId(id), e.getMessage());
            return new AgentExit(-1, false);
        }
    }

    private static String shortId(String id) {
        return AgentRuntime.shortId(id);
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
            } catch (com.github.dockerjava.api.exception.NotModifiedException e) {
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
            attachment.detached = true;
            try {
                attachment.close();
            } catch (IOException e) {
                LOG.debug("detaching from {}: {}", shortId(id), e.toString());
            }
            if (stdin != null) {
                stdin.close();
            }
        }
    }

    /** The attach stream of one container: lines of stdout through the output parser, stderr as log, then the exit. */
    private final class Attachment extends ResultCallback.Adapter<Frame> {
        private final String slug;
        private final String id;
        private final AgentListener listener;
        private final OutputParser parser = new OutputParser();
        private final Map<StreamType, ByteArrayOutputStream> partial = new HashMap<>();
        private volatile boolean ended;
        volatile boolean detached;

        Attachment(String slug, String id, AgentListener listener) {
            this.slug = slug;
            this.id = id;
            this.listener = listener;
        }

        @Override
        public void onNext(Frame frame) {
            if (detached) {
                return;
            }
            StreamType type = frame.getStreamType();
            if (type != StreamType.STDOUT && type != StreamType.STDERR && type != StreamType.RAW) {
                return;
            }
            ByteArrayOutputStream buf = partial.computeIfAbsent(type, t -> new ByteArrayOutputStream());
            for (byte b : frame.getPayload()) {
                if (b == '\n') {
                    line(type, buf.toString(StandardCharsets.UTF_8));
                    buf.reset();
                } else if (buf.size() < OutputParserLimits.MAX_LINE) {
                    buf.write(b);
                }
            }
        }

        private void line(StreamType type, String text) {
            if (type == StreamType.STDERR) {
                listener.log(text, true);
                return;
            }
            boolean before = parser.inBlock();
            Optional<AgentOutput> out = parser.line(text);
            if (out.isPresent()) {
                listener.output(out.get());
            } else if (!before && !parser.inBlock()) {
                listener.log(text, false);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            LOG.debug("agent {}: attach stream error: {}", slug, throwable.toString());
            finish();
        }

        @Override
        public void onComplete() {
            finish();
        }

        private void finish() {
            if (ended || detached) {
                return;
            }
            ended = true;
            partial.forEach((type, buf) -> {
                if (buf.size() > 0) {
                    line(type, buf.toString(StandardCharsets.UTF_8));
                }
            });
            Thread t = new Thread(() -> {
                AgentExit exit = exitOf(id);
                LOG.info("agent {}: container {} {}", slug, shortId(id), exit.describe());
                listener.exited(exit);
            }, "relay-agent-exit-" + slug);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Bounds on what one line of an agent's output may hold in memory. */
    static final class OutputParserLimits {
        static final int MAX_LINE = 1 << 20;

        private OutputParserLimits() {}
    }

    /**
     * The container's stdin: the start line once, zeroed as it is handed over, then nothing until closed. It never
     * ends by itself: docker-java's attach cannot half-close stdin, so the protocol is one line, not end-of-file.
     */
    static final class OneLineInput extends java.io.InputStream {
        private byte[] line;
        private int pos;
        private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        OneLineInput(byte[] line) {
            this.line = line;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (this) {
                if (line != null && pos < line.length) {
                    int n = Math.min(len, line.length - pos);
                    System.arraycopy(line, pos, b, off, n);
                    Arrays.fill(line, pos, pos + n, (byte) 0);
                    pos += n;
                    if (pos == line.length) {
                        line = null;
                    }
                    return n;
                }
            }
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (line != null) {
                    Arrays.fill(line, (byte) 0);
                    line = null;
                }
            }
            closed.countDown();
        }
    }
}
