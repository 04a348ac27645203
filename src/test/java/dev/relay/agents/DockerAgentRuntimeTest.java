package dev.relay.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.agents.docker.DockerAgentRuntime;
import dev.relay.testing.Await;
import dev.relay.testing.TestAgentImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Docker runtime against a real daemon, with the protocol-speaking test image. */
@Tag("docker")
class DockerAgentRuntimeTest {
    private static final String SECRET = "sk-ant-container-secret-0123456789";
    private static final Hardening TEST = Hardening.DEFAULT.withMemory(256L << 20).withNetwork("none");

    @TempDir
    Path dir;

    final DockerAgentRuntime runtime = DockerAgentRuntime.fromEnvironment();
    final List<String> started = new ArrayList<>();
    final String run = Long.toHexString(System.nanoTime());

    @BeforeAll
    static void image() {
        TestAgentImage.ensure();
    }

    @AfterEach
    void cleanUp() {
        for (String id : started) {
            runtime.remove(id);
        }
        runtime.close();
    }

    /** Records what an agent reports. */
    static final class Recorder implements AgentListener {
        final List<AgentOutput> outputs = new CopyOnWriteArrayList<>();
        final List<String> logs = new CopyOnWriteArrayList<>();
        volatile AgentExit exit;

        @Override
        public void output(AgentOutput output) {
            outputs.add(output);
        }

        @Override
        public void log(String line, boolean stderr) {
            logs.add((stderr ? "err: " : "out: ") + line);
        }

        @Override
        public void exited(AgentExit e) {
            exit = e;
        }

        List<String> results() {
            return outputs.stream().map(o -> o.result().orElse("(error) " + o.error().orElse(""))).toList();
        }
    }

    private Path workspace(String slug) throws IOException {
        Path ws = Files.createDirectories(dir.resolve(slug));
        Files.createDirectories(ws.resolve("ipc/input"));
        // the tests run as root and the agent as uid 1000: the workspace must be its to write
        try (var walk = Files.walk(ws)) {
            for (Path p : walk.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        }
        return ws;
    }

    private AgentSpec spec(String slug, Path ws, Hardening h) {
        return new AgentSpec(slug, "Agent " + slug, TestAgentImage.IMAGE, ws, h,
                Map.of("dev.relay.home", "test-" + run, "dev.relay.agent", slug), Map.of("HOME", "/tmp"));
    }

    private RunningAgent start(String slug, Path ws, Hardening h, String prompt, Optional<String> session, Recorder r) {
        byte[] line = StartLine.encode(prompt, session, slug, "Agent " + slug, Map.of("ANTHROPIC_API_KEY", SECRET));
        RunningAgent a = runtime.start(spec(slug, ws, h), line, r);
        started.add(a.containerId());
        return a;
    }

    static void followUp(Path ws, String name, String text) throws IOException {
        Path tmp = ws.resolve("ipc/input/." + name + ".tmp");
        Files.writeString(tmp, "{\"type\":\"message\",\"text\":\"" + text + "\"}");
        Files.move(tmp, ws.resolve("ipc/input/" + name + ".json"));
    }

    static JsonNode inspect(String id) throws Exception {
        Process p = new ProcessBuilder("docker", "inspect", id).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new ObjectMapper().readTree(out).get(0);
    }

    @Test
    void the_first_line_starts_the_agent_follow_ups_reach_it_and_close_ends_it() throws Exception {
        Path ws = workspace("a1");
        Recorder r = new Recorder();
        start("a1", ws, TEST, "ECHO hello relay", Optional.empty(), r);

        Await.until("the first result", Duration.ofSeconds(60), () -> r.outputs.size() == 1);
        AgentOutput first = r.outputs.get(0);
        assertTrue(first.success());
        assertEquals(Optional.of("echo: hello relay"), first.result());
        assertTrue(first.newSessionId().orElse("").startsWith("sess-a1-"), first.toString());

        followUp(ws, "0001-a", "ECHO second");
        followUp(ws, "0002-b", "ECHO third");
        Await.until("the follow-ups answered in order", Duration.ofSeconds(30), () -> r.outputs.size() == 3);
        assertEquals(List.of("echo: hello relay", "echo: second", "echo: third"), r.results());

        Files.createFile(ws.resolve("ipc/input/_close"));
        Await.until("the agent ends", Duration.ofSeconds(30), () -> r.exit != null);
        assertEquals(0, r.exit.code());
        assertTrue(r.logs.stream().anyMatch(l -> l.startsWith("err: agent a1 started")), r.logs.toString());
    }

    @Test
    void resuming_passes_the_session_id_and_a_stale_one_is_refused_with_an_error() throws Exception {
        Path ws = workspace("a2");
        Recorder r = new Recorder();
        start("a2", ws, TEST, "ECHO again", Optional.of("sess-kept-42"), r);
        Await.until("a result", Duration.ofSeconds(60), () -> r.outputs.size() == 1);
        assertEquals(Optional.of("sess-kept-42"), r.outputs.get(0).newSessionId());
        Files.createFile(ws.resolve("ipc/input/_close"));

        Recorder stale = new Recorder();
        start("a2", ws, TEST, "ECHO x", Optional.of("stale-7"), stale);
        Await.until("the refusal and the exit", Duration.ofSeconds(60), () -> stale.exit != null);
        assertFalse(stale.outputs.get(0).success());
        assertTrue(stale.outputs.get(0).error().orElse("").contains("No conversation found"), stale.outputs.toString());
        assertEquals(1, stale.exit.code());
    }

    @Test
    void containers_run_hardened_and_secrets_reach_them_only_through_stdin() throws Exception {
        Path ws = workspace("a3");
        Recorder r = new Recorder();
        byte[] line = StartLine.encode("ENV", Optional.empty(), "a3", "Agent a3", Map.of("ANTHROPIC_API_KEY", SECRET));
        RunningAgent a = runtime.start(spec("a3", ws, TEST), line, r);
        started.add(a.containerId());
        Await.until("a result", Duration.ofSeconds(60), () -> r.outputs.size() == 1);
        assertEquals(List.of("env: clean"), r.results(), "no secret in the agent's environment");
        Await.until("the start line is zeroed once written", () -> {
            for (byte b : line) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        });

        JsonNode c = inspect(a.containerId());
        JsonNode host = c.get("HostConfig");
        assertEquals("1000:1000", c.at("/Config/User").asText());
        assertEquals("[\"ALL\"]", host.get("CapDrop").toString());
        assertTrue(host.get("SecurityOpt").toString().contains("no-new-privileges"), host.get("SecurityOpt").toString());
        assertTrue(host.get("ReadonlyRootfs").asBoolean());
        assertEquals(256L << 20, host.get("Memory").asLong());
        assertEquals(512, host.get("PidsLimit").asLong());
        assertEquals(1, host.get("Binds").size(), "only the workspace is mounted: " + host.get("Binds"));
        assertTrue(host.get("Binds").get(0).asText().endsWith(":/workspace:rw"));
        assertFalse(host.get("Privileged").asBoolean());
        assertFalse(c.toString().contains(SECRET), "the secret is nowhere in docker inspect");
        assertEquals("a3", c.at("/Config/Labels/dev.relay.agent").asText());
        Files.createFile(ws.resolve("ipc/input/_close"));
        Await.until("the end", Duration.ofSeconds(30), () -> r.exit != null);
    }

    @Test
    void an_allowed_extra_mount_is_read_only_in_the_container() throws Exception {
        Path ws = workspace("a7");
        Path repo = Files.createDirectories(dir.resolve("repos/app"));
        Files.writeString(repo.resolve("README"), "hello");
        Hardening.ExtraMount m = new MountPolicy(List.of(dir.resolve("repos")), dir.resolve("home"))
                .check(new MountPolicy.Request(repo, "/repo", true));
        Hardening h = new Hardening(TEST.user(), TEST.memoryBytes(), TEST.pidsLimit(), true, "none", List.of(m));
        Recorder r = new Recorder();
        RunningAgent a = start("a7", ws, h, "ECHO mounted", Optional.empty(), r);
        Await.until("a result", Duration.ofSeconds(60), () -> r.outputs.size() == 1);
        JsonNode binds = inspect(a.containerId()).at("/HostConfig/Binds");
        assertEquals(2, binds.size(), binds.toString());
        assertEquals(repo.toRealPath() + ":/repo:ro", binds.get(1).asText());
        Files.createFile(ws.resolve("ipc/input/_close"));
        Await.until("the end", Duration.ofSeconds(30), () -> r.exit != null);
    }

    @Test
    void an_agent_over_its_memory_limit_is_killed_with_137() throws Exception {
        Path ws = workspace("a4");
        Recorder r = new Recorder();
        start("a4", ws, Hardening.DEFAULT.withMemory(32L << 20).withNetwork("none"), "EAT", Optional.empty(), r);
        Await.until("the kill", Duration.ofSeconds(120), () -> r.exit != null);
        assertEquals(137, r.exit.code(), r.exit.toString());
        assertTrue(r.exit.killed());
        assertTrue(r.outputs.isEmpty(), "it never answered: " + r.outputs);
    }

    @Test
    void own_containers_are_found_by_label_and_can_be_reattached_and_removed() throws Exception {
        Path ws = workspace("a5");
        Recorder r = new Recorder();
        RunningAgent a = start("a5", ws, TEST, "ECHO one", Optional.empty(), r);
        Await.until("a result", Duration.ofSeconds(60), () -> r.outputs.size() == 1);

        List<AgentRuntime.Container> own = runtime.list(Map.of("dev.relay.home", "test-" + run));
        assertEquals(1, own.size());
        assertEquals(a.containerId(), own.get(0).id());
        assertTrue(own.get(0).running());
        assertTrue(runtime.list(Map.of("dev.relay.home", "someone-else")).isEmpty());

        Recorder again = new Recorder();
        runtime.reattach(a.containerId(), again);
        followUp(ws, "0001-x", "ECHO after reattach");
        Await.until("the reattached stream sees the answer", Duration.ofSeconds(30),
                () -> again.results().contains("echo: after reattach"));

        runtime.remove(a.containerId());
        started.remove(a.containerId());
        assertTrue(runtime.list(Map.of("dev.relay.home", "test-" + run)).isEmpty());
    }

    @Test
    void a_missing_image_and_an_unreachable_daemon_are_clear_errors() throws Exception {
        Path ws = workspace("a6");
        AgentSpec missing = new AgentSpec("a6", "A6", "relay-no-such-image:latest", ws, TEST, Map.of("dev.relay.home", "test-" + run), Map.of());
        AgentRuntimeException e = assertThrows(AgentRuntimeException.class,
                () -> runtime.start(missing, StartLine.encode("x", Optional.empty(), "a6", "A6", Map.of()), new Recorder()));
        assertFalse(e.unreachable());
        assertTrue(e.getMessage().contains("image relay-no-such-image:latest not found"), e.getMessage());
    }
}
