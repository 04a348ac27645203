package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.agents.AgentRuntime;
import dev.relay.agents.AgentSupervisor;
import dev.relay.agents.docker.DockerAgentRuntime;
import dev.relay.cli.Main;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import dev.relay.testing.TestAgentImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon killed with SIGKILL while its agent's container runs: the next start re-attaches to that container. */
@Tag("process")
class AgentCrashTest {
    @TempDir
    Path dir;

    private static void cli(Path home, String... args) {
        Main.execute(args, Map.of("RELAY_HOME", home.toString()), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void after_sigkill_the_next_start_reattaches_to_the_live_container() throws Exception {
        String image = TestAgentImage.ensure();
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.writeString(home.resolve("config.yaml"), "sessions:\n  - id: c1\n    kind: container\n    image: " + image
                + "\n    container:\n      network: none\n      memory: 256m\n");
        String homeLabel = home.toAbsolutePath().normalize().toString();
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC());
             DockerAgentRuntime docker = DockerAgentRuntime.fromEnvironment()) {
            api.replies(req -> "[NEEDS-JC] noted");
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-agent-crash-0123456789", "ANTHROPIC_BASE_URL",
                    api.baseUrl(), "NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t",
                    "AGENT_ANTHROPIC_API_KEY", "sk-ant-agents-own-0123456789");
            Path out = dir.resolve("daemon.log");
            Process first = RelayProcess.start(home, env, out, "run", "--daemon");
            Process second = null;
            try {
                Await.until("the daemon runs", Duration.ofSeconds(30), () -> read(home.resolve("state/status.json")).contains("\"running\""));
                cli(home, "override", "@c1: ECHO before the crash");
                Await.until("the agent's result is a turn", Duration.ofSeconds(60),
                        () -> read(home.resolve("state/conversation.jsonl")).contains("echo: before the crash"));
                String container = docker.list(Map.of(AgentSupervisor.HOME_LABEL, homeLabel)).get(0).id();

                first.destroyForcibly();   // SIGKILL
                assertTrue(first.waitFor(20, TimeUnit.SECONDS));
                assertEquals(137, first.exitValue());
                AgentRuntime.Container left = docker.list(Map.of(AgentSupervisor.HOME_LABEL, homeLabel)).get(0);
                assertTrue(left.running(), "the container outlives the relay");

                second = RelayProcess.start(home, env, out, "run", "--daemon");
                Await.until("recovery re-attached", Duration.ofSeconds(60), () -> read(home.resolve("state/agents.json"))
                        .contains("re-attached to the running container " + container.substring(0, 12)));
                cli(home, "override", "@c1: ECHO after the restart");
                Await.until("the same container answers", Duration.ofSeconds(60),
                        () -> read(home.resolve("state/conversation.jsonl")).contains("echo: after the restart"));
                assertEquals(1, docker.list(Map.of(AgentSupervisor.HOME_LABEL, homeLabel)).size(), "no second container");
                assertTrue(read(home.resolve("logs/relay.log")).contains("after a restart: re-attached"));
            } finally {
                first.destroyForcibly();
                if (second != null) {
                    second.destroy();
                    second.waitFor(20, TimeUnit.SECONDS);
                }
                for (AgentRuntime.Container c : docker.list(Map.of(AgentSupervisor.HOME_LABEL, homeLabel))) {
                    docker.remove(c.id());
                }
            }
        }
    }
}
