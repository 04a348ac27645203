package dev.relay.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.agents.docker.DockerAgentRuntime;
import dev.relay.core.SessionId;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.state.AgentState;
import dev.relay.state.AgentsFile;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ScriptedCoordinator;
import dev.relay.testing.TestAgentImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Container sessions through the whole relay: real loop, real containers, a scripted coordinator. */
@Tag("docker")
class AgentSupervisorTest {
    @TempDir
    Path dir;

    private static final String AGENT_KEY = "sk-ant-agent-secret-0123456789";

    LoopHarness relay;
    AgentSupervisor supervisor;
    final DockerAgentRuntime runtime = DockerAgentRuntime.fromEnvironment();

    @BeforeAll
    static void image() {
        TestAgentImage.ensure();
    }

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo info) throws Exception {
        // kept for a failure's post-mortem: target/agent-tests/<test>.log (the relay's log and the agents')
        Path keep = Files.createDirectories(Path.of("target", "agent-tests"));
        StringBuilder logs = new StringBuilder();
        for (Path p : List.of(dir.resolve("logs/relay.log"), dir.resolve("state/agents.json"))) {
            if (Files.exists(p)) {
                logs.append("== ").append(p.getFileName()).append('\n').append(Files.readString(p));
            }
        }
        if (Files.isDirectory(dir.resolve("logs/agents"))) {
            try (var s = Files.list(dir.resolve("logs/agents"))) {
                for (Path p : s.toList()) {
                    logs.append("== ").append(p.getFileName()).append('\n').append(Files.readString(p));
                }
            }
        }
        Files.writeString(keep.resolve(info.getTestMethod().map(m -> m.getName()).orElse("test") + ".log"), logs);
        if (relay != null) {
            relay.close();
        }
        if (supervisor != null) {
            supervisor.close();
        }
        // this home's containers, whatever a test left
        for (AgentRuntime.Container c : runtime.list(Map.of(AgentSupervisor.HOME_LABEL, dir.toAbsolutePath().normalize().toString()))) {
            runtime.remove(c.id());
        }
        runtime.close();
    }

    private static String config(int maxConcurrent, int idleSeconds, String... slugs) {
        StringBuilder b = new StringBuilder("agents:\n  max_concurrent: " + maxConcurrent + "\n  idle_timeout_s: " + idleSeconds
                + "\n  stop_grace_s: 5\nsessions:\n");
        for (String s : slugs) {
            b.append("  - id: ").append(s).append("\n    kind: container\n    image: ").append(TestAgentImage.IMAGE)
                    .append("\n    container:\n      network: none\n      memory: 256m\n");
        }
        return b.toString();
    }

    private void start(String config) {
        relay = new LoopHarness(dir, Clock.systemUTC()).config(config);
        dev.relay.logging.Logging.configure(relay.home.logFile(), false);
        supervisor = new AgentSupervisor(relay.home, relay.settings(), runtime, relay.notifier, Clock.systemUTC(),
                () -> new dev.relay.config.Secrets(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.of(AGENT_KEY)));
        relay.withTargets(s -> relay.settings().session(s).filter(c -> c.kind() == dev.relay.config.SessionConfig.Kind.CONTAINER)
                .map(c -> (DispatchTarget) supervisor));
        relay.start();
        supervisor.start();
    }

    private Optional<AgentSupervisor.View> view(String slug) {
        return supervisor.snapshot().agents().stream().filter(v -> v.slug().equals(slug)).findFirst();
    }

    private boolean journalHas(String text) {
        return relay.journalLines().stream().anyMatch(l -> l.contains(text));
    }

    @Test
    void a_reply_starts_the_container_its_results_become_turns_and_the_next_reply_is_a_follow_up() throws Exception {
        start(config(4, 300, "c1"));
        relay.coordinator.byDefault(r -> ScriptedCoordinator.lastUserText(r).contains("echo: build it")
                ? "ECHO second step" : "[NEEDS-JC] all done?");
        relay.override("@c1: ECHO build it");

        Await.until("the agent's first result is a turn", Duration.ofSeconds(60), () -> journalHas("[session c1]") || journalHas("echo: build it"));
        Await.until("the follow-up's result is a turn", Duration.ofSeconds(60), () -> journalHas("echo: second step"));
        Await.until("paused on needs_jc", Duration.ofSeconds(30), () -> "needs_jc".equals(relay.status().state().wire()));
        AgentSupervisor.View v = view("c1").orElseThrow();
        assertEquals(AgentState.RUNNING, v.state());
        assertTrue(v.sessionId().startsWith("sess-c1-"), v.toString());
        assertTrue(Files.readString(dir.resolve("state/agents.json")).contains("\"slug\" : \"c1\""));
        assertTrue(Files.readString(dir.resolve("logs/agents/c1.log")).contains("err agent c1 started"));
        assertEquals(1, runtime.list(Map.of(AgentSupervisor.AGENT_LABEL, "c1", AgentSupervisor.HOME_LABEL,
                dir.toAbsolutePath().normalize().toString())).size(), "one container for the session");
    }

    @Test
    void an_idle_agent_is_closed_and_the_next_reply_resumes_its_session() throws Exception {
        start(config(4, 2, "c2"));
        relay.coordinator.byDefault(r -> "[NEEDS-JC] noted");
        relay.override("@c2: ECHO first");
        Await.until("a result", Duration.ofSeconds(60), () -> journalHas("echo: first"));
        String session = view("c2").orElseThrow().sessionId();
        Await.until("closed when idle", Duration.ofSeconds(30), () -> view("c2").orElseThrow().state() == AgentState.IDLE);
        Await.until("its container removed", Duration.ofSeconds(30), () -> runtime.list(Map.of(AgentSupervisor.AGENT_LABEL, "c2",
                AgentSupervisor.HOME_LABEL, dir.toAbsolutePath().normalize().toString())).isEmpty());

        relay.override("@c2: ECHO again");   // the override also clears the needs_jc pause
        Await.until("a new container's result", Duration.ofSeconds(60), () -> journalHas("echo: again"));
        assertEquals(session, view("c2").orElseThrow().sessionId(), "the new container resumed the same session");
    }

    @Test
    void starts_beyond_the_limit_wait_in_order() throws Exception {
        start(config(1, 2, "c3", "c4"));
        relay.coordinator.byDefault(r -> "[NEEDS-JC] ok");
        relay.override("@c3: ECHO from c3");
        Await.until("c3 running", Duration.ofSeconds(60), () -> view("c3").orElseThrow().state() == AgentState.RUNNING);
        relay.override("@c4: ECHO from c4");
        Await.until("c4 waits for the slot", Duration.ofSeconds(30), () -> view("c4").orElseThrow().state() == AgentState.WAITING);
        // agents.json is written just after the state changes: wait for the file, not only the state
        Await.until("agents.json says it waits", Duration.ofSeconds(10), () -> {
            try {
                return new AgentsFile(relay.home.agentsFile()).read().orElseThrow().agents().stream()
                        .anyMatch(e -> e.slug().equals("c4") && e.state() == AgentState.WAITING);
            } catch (java.io.IOException e) {
                return false;
            }
        });
        // the relay is paused on needs_jc by now: the agents' results wait in queue/, the supervisor shows them
        Await.until("c4 runs once c3 closed", Duration.ofSeconds(60),
                () -> view("c4").orElseThrow().lastOutput().equals("echo: from c4"));
        assertEquals("echo: from c3", view("c3").orElseThrow().lastOutput());
    }

    @Test
    void after_a_crash_live_containers_are_reattached_and_dead_ones_removed() throws Exception {
        start(config(4, 300, "c5"));
        relay.coordinator.byDefault(r -> "[NEEDS-JC] ok");
        relay.override("@c5: ECHO before the crash");
        Await.until("a result", Duration.ofSeconds(60), () -> journalHas("echo: before the crash"));
        String home = dir.toAbsolutePath().normalize().toString();
        String live = runtime.list(Map.of(AgentSupervisor.HOME_LABEL, home)).get(0).id();
        // a dead container of this home, and one of another home that must not be touched
        AgentRuntimeTestSupport.exited(runtime, dir.resolve("dead"), Map.of(AgentSupervisor.HOME_LABEL, home, AgentSupervisor.AGENT_LABEL, "c5"));
        String foreign = AgentRuntimeTestSupport.exited(runtime, dir.resolve("other"),
                Map.of(AgentSupervisor.HOME_LABEL, "/somewhere/else", AgentSupervisor.AGENT_LABEL, "x"));
        try {
            supervisor.close();   // the relay "crashes": its containers stay
            relay.close();
            start(config(4, 300, "c5"));
            Await.until("recovery done", Duration.ofSeconds(30), () -> supervisor.snapshot().recovery().size() == 2);
            List<String> said = supervisor.snapshot().recovery();
            assertTrue(said.stream().anyMatch(s -> s.startsWith("re-attached to the running container " + live.substring(0, 12))), said.toString());
            assertTrue(said.stream().anyMatch(s -> s.startsWith("removed the dead container")), said.toString());
            assertEquals(List.of(live), runtime.list(Map.of(AgentSupervisor.HOME_LABEL, home)).stream().map(AgentRuntime.Container::id).toList());
            assertEquals(1, runtime.list(Map.of(AgentSupervisor.HOME_LABEL, "/somewhere/else")).size(), "nothing else is touched");

            relay.override("@c5: ECHO after the restart");
            Await.until("the re-attached agent answers", Duration.ofSeconds(60), () -> journalHas("echo: after the restart"));
        } finally {
            runtime.remove(foreign);
        }
    }

    @Test
    void tracker_files_an_agent_writes_in_its_container_reach_the_tracker() throws Exception {
        try (okhttp3.mockwebserver.MockWebServer trackerServer = new okhttp3.mockwebserver.MockWebServer()) {
            trackerServer.enqueue(new okhttp3.mockwebserver.MockResponse().setResponseCode(201));
            trackerServer.enqueue(new okhttp3.mockwebserver.MockResponse().setResponseCode(200));
            start(config(4, 300, "c7"));
            dev.relay.tracker.TrackerForwarder forwarder = new dev.relay.tracker.TrackerForwarder(relay.home,
                    List.of(SessionId.of("c7")), Optional.of(trackerServer.url("/").toString()), Optional.of("tok"),
                    new okhttp3.OkHttpClient(), Clock.systemUTC());
            relay.coordinator.byDefault(r -> "[NEEDS-JC] ok");
            relay.override("@c7: IPC 42");
            Await.until("both files forwarded", Duration.ofSeconds(60), () -> {
                forwarder.forwardOnce();
                return trackerServer.getRequestCount() == 2;
            });
            List<String> seen = List.of(trackerServer.takeRequest().getPath(), trackerServer.takeRequest().getPath());
            assertTrue(seen.contains("/api/v1/chats/c1/messages") && seen.contains("/api/v1/tasks/t-42"), seen.toString());
            try (var s = Files.walk(dir.resolve("agents/c7/ipc"))) {
                assertEquals(0, s.filter(p -> p.toString().matches(".*/(messages|tasks)/[^/]+\\.json")).count());
            }
        }
    }

    @Test
    void container_env_is_in_the_containers_environment_and_the_credential_is_not() throws Exception {
        start("container:\n  env:\n    ANTHROPIC_BASE_URL: http://gateway.example:8080\n    HTTPS_PROXY: http://proxy.example:3128\n"
                + config(4, 300, "c8") + "      env:\n        HTTPS_PROXY: http://c8-proxy.example:3128\n");
        relay.coordinator.byDefault(r -> "[NEEDS-JC] ok");
        relay.override("@c8: ENV");
        Await.until("the agent looked at its environment", Duration.ofSeconds(60), () -> journalHas("env: clean"));
        String id = runtime.list(Map.of(AgentSupervisor.AGENT_LABEL, "c8", AgentSupervisor.HOME_LABEL,
                dir.toAbsolutePath().normalize().toString())).get(0).id();
        com.fasterxml.jackson.databind.JsonNode container = DockerAgentRuntimeTest.inspect(id);
        List<String> env = new java.util.ArrayList<>();
        container.at("/Config/Env").forEach(v -> env.add(v.asText()));
        assertTrue(env.contains("ANTHROPIC_BASE_URL=http://gateway.example:8080"), env.toString());
        assertTrue(env.contains("HTTPS_PROXY=http://c8-proxy.example:3128"), "the session's own value wins: " + env);
        assertTrue(env.contains("RELAY_AGENT_ENV=ANTHROPIC_BASE_URL,HTTPS_PROXY"), env.toString());
        assertTrue(env.contains("HOME=/workspace/.home"), env.toString());
        assertFalse(container.toString().contains(AGENT_KEY), "the credential went on stdin only");
    }

    @Test
    void a_stale_session_is_retried_once_with_a_fresh_one() throws Exception {
        start(config(4, 300, "c6"));
        Files.createDirectories(dir.resolve("state/agents"));
        Files.writeString(dir.resolve("state/agents/c6.session"), "stale-123\n");
        relay.coordinator.byDefault(r -> "[NEEDS-JC] ok");
        relay.override("@c6: ECHO fresh start");
        Await.until("the retried start answers", Duration.ofSeconds(90), () -> journalHas("echo: fresh start"));
        assertTrue(view("c6").orElseThrow().sessionId().startsWith("sess-c6-"));
        assertEquals(SessionId.of("c6").value(), view("c6").orElseThrow().slug());
    }
}
