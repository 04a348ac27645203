package dev.relay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import dev.relay.testing.RelayCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path home;

    RelayCli.Result relay(String... args) {
        return RelayCli.run(home, args);
    }

    @Test
    void init_creates_a_commented_config_and_a_private_env_and_never_overwrites() throws Exception {
        RelayCli.Result r = relay("init");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(home.resolve("config.yaml")).contains("# history_char_cap: 400000"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(".env"))));
        assertTrue(Files.readString(home.resolve(".env")).contains("NTFY_TOPIC=relay-"));
        Files.writeString(home.resolve("config.yaml"), "model: mine\n");
        relay("init");
        assertEquals("model: mine\n", Files.readString(home.resolve("config.yaml")));
    }

    @Test
    void send_writes_a_valid_envelope_the_relay_accepts() throws Exception {
        RelayCli.Result r = relay("send", "--session", "s1", "--id", "job-1", "hello", "coordinator");
        assertEquals(0, r.code(), r.err());
        Path envelope;
        try (Stream<Path> s = Files.list(home.resolve("queue"))) {
            envelope = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        JsonNode n = new ObjectMapper().readTree(envelope.toFile());
        assertEquals("s1", n.get("session_id").asText());
        assertEquals("hello coordinator", n.get("content").asText());
        assertEquals("job-1", n.get("id").asText());
    }

    @Test
    void send_refuses_a_bad_session_id_or_an_empty_message_as_bad_usage() {
        RelayCli.Result r = relay("send", "--session", "../etc", "hi");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("session id \"../etc\" is invalid"), r.err());
        assertEquals(2, relay("send", "--session", "s1").code());
        assertFalse(Files.exists(home.resolve("queue")) && home.resolve("queue").toFile().list().length > 0);
    }

    @Test
    void override_never_replaces_an_override_the_relay_has_not_taken() throws Exception {
        assertEquals(0, relay("override", "first").code());
        RelayCli.Result second = relay("override", "second");
        assertEquals(1, second.code());
        assertTrue(second.err().contains("still waiting"), second.err());
        assertEquals("first", Files.readString(home.resolve("state/jc_input.txt")));
    }

    @Test
    void override_says_it_goes_straight_to_a_session_only_when_the_relay_sends_it_so() throws Exception {
        RelayCli.Result notDirect = relay("override", "@s1 please rebase");
        assertEquals(0, notDirect.code());
        assertTrue(notDirect.out().contains("it is the coordinator's next turn"), notDirect.out());
        Files.delete(home.resolve("state/jc_input.txt"));
        RelayCli.Result direct = relay("override", "@s1: please rebase");
        assertTrue(direct.out().contains("it goes to the session directly"), direct.out());
    }

    @Test
    void status_on_a_fresh_home_says_nothing_runs_in_text_and_json() throws Exception {
        RelayCli.Result text = relay("status");
        assertEquals(0, text.code());
        assertTrue(text.out().contains("not running"), text.out());
        RelayCli.Result json = relay("status", "--json");
        JsonNode n = new ObjectMapper().readTree(json.out());
        assertFalse(n.get("running").asBoolean());
        assertEquals(0, n.get("queue_depth").asInt());
    }

    @Test
    void pause_without_a_running_relay_is_queued_and_said_so() {
        RelayCli.Result r = relay("pause");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("no relay is running"), r.out());
    }

    @Test
    void a_bad_config_stops_run_with_the_file_and_line_and_exit_1() throws Exception {
        Files.writeString(home.resolve("config.yaml"), "model: x\nmax_tokens: many\n");
        RelayCli.Result r = relay("run", "--daemon");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("config.yaml:2"), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace for a user mistake: " + r.err());
    }

    @Test
    void the_console_without_a_terminal_says_how_to_run_headless() {
        RelayCli.Result r = relay("run");   // the test JVM has no terminal
        assertEquals(2, r.code());
        assertTrue(r.err().contains("the console needs a terminal") && r.err().contains("relay run --daemon"), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace: " + r.err());
    }

    @Test
    void relay_with_no_command_sees_the_environment_as_every_command_does() {
        picocli.CommandLine cli = Main.commandLine(Map.of("RELAY_HOME", home.toString(), "ANTHROPIC_API_KEY", "sk-ant-x"));
        cli.parseArgs();
        RelayCommand relay = cli.getCommand();
        assertEquals(home.toAbsolutePath(), relay.home().root().toAbsolutePath());
        assertEquals("sk-ant-x", relay.env.get("ANTHROPIC_API_KEY"));
    }

    @Test
    void the_console_without_a_terminal_leaves_nothing_behind_in_the_home() throws Exception {
        RelayCli.Result r = relay();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("the console needs a terminal"), r.err());
        try (Stream<Path> files = Files.list(home)) {
            assertEquals(java.util.List.of(), files.toList(), "`relay` without a terminal must not create a home");
        }
    }

    @Test
    void agents_lists_the_container_agents_as_the_relay_left_them() throws Exception {
        assertTrue(relay("agents").out().contains("No container agents"));
        Files.writeString(home.resolve("config.yaml"), "sessions:\n  - id: builder\n    kind: container\n");
        assertTrue(relay("agents").out().contains("builder"), relay("agents").out());
        Files.createDirectories(home.resolve("state"));
        Files.writeString(home.resolve("state/agents.json"), "{\"runtime_problem\": \"Docker is unreachable at unix:///x\","
                + "\"agents\": [{\"slug\": \"builder\", \"state\": \"running\", \"container_id\": \"0123456789ab\","
                + "\"session_id\": \"sess-1\", \"started_at\": \"2026-11-23T08:00:00Z\", \"last_output\": \"tests pass\","
                + "\"last_error\": \"\"}], \"recovery\": [\"re-attached to the running container 0123456789ab of agent builder\"]}");
        RelayCli.Result r = relay("agents");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("No relay is running"), r.out());
        assertTrue(r.out().contains("Docker: Docker is unreachable"), r.out());
        assertTrue(r.out().matches("(?s).*builder\\s+running\\s+0123456789ab\\s+sess-1.*tests pass.*"), r.out());
        assertTrue(r.out().contains("at start-up: re-attached"), r.out());
        assertFalse(r.out().contains("tracker:"), "nothing waits for the tracker yet: " + r.out());

        Path ipc = Files.createDirectories(home.resolve("agents/builder/ipc/messages"));
        Files.writeString(ipc.resolve("1795000000000-a.json"), "{\"type\": \"chat_message\", \"chat_id\": \"c1\", \"content\": \"hi\"}");
        Files.writeString(ipc.resolve(".1795000000001-b.json.tmp"), "{");   // still being written: not counted
        Path tasks = Files.createDirectories(home.resolve("agents/builder/ipc/tasks"));
        Files.writeString(tasks.resolve("1795000000002-c.json"), "{}");
        Path errors = Files.createDirectories(home.resolve("agents/builder/ipc/errors"));
        Files.writeString(errors.resolve("x.json"), "{}");
        Files.writeString(errors.resolve("x.json.reason"), "HTTP 400\n");
        r = relay("agents");
        assertTrue(r.out().contains("tracker: builder has 2 files not forwarded yet in agents/builder/ipc/ (tracker.url is not set"),
                r.out());
        assertTrue(r.out().contains("tracker: builder has 1 file the tracker refused, in agents/builder/ipc/errors/"), r.out());
    }

    @Test
    void agents_names_the_credential_agents_get_never_its_value_and_says_how_to_give_one() throws Exception {
        Files.writeString(home.resolve("config.yaml"), "sessions:\n  - id: builder\n    kind: container\n");
        Files.writeString(home.resolve(".env"), "ANTHROPIC_API_KEY=sk-ant-coordinator-0123456789\n");
        RelayCli.Result r = relay("agents");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("credential: none; no credential for container agents: put CLAUDE_CODE_OAUTH_TOKEN"
                + " (from `claude setup-token`) or AGENT_ANTHROPIC_API_KEY (the agents' own API key) in " + home.resolve(".env")
                + " or the environment; ANTHROPIC_API_KEY is the coordinator's and reaches agents only with"
                + " agents.share_coordinator_key: true in config.yaml"), r.out());

        Files.writeString(home.resolve(".env"), "ANTHROPIC_API_KEY=sk-ant-coordinator-0123456789\n"
                + "AGENT_ANTHROPIC_API_KEY=sk-ant-agents-0123456789\n");
        r = relay("agents");
        assertTrue(r.out().contains("credential: AGENT_ANTHROPIC_API_KEY (as ANTHROPIC_API_KEY in the container)\n"), r.out());
        assertFalse(r.out().contains("sk-ant-"), r.out());

        Files.writeString(home.resolve(".env"), "ANTHROPIC_API_KEY=sk-ant-coordinator-0123456789\nCLAUDE_CODE_OAUTH_TOKEN=oauth-0123456789\n");
        r = relay("agents");
        assertTrue(r.out().contains("credential: CLAUDE_CODE_OAUTH_TOKEN\n"), r.out());
        assertFalse(r.out().contains("oauth-0123456789"), r.out());
    }

    @Test
    void agents_shows_the_plain_environment_each_agent_gets() throws Exception {
        Files.writeString(home.resolve("config.yaml"), "container:\n  env:\n    HTTPS_PROXY: http://proxy.example:3128\n"
                + "sessions:\n  - id: builder\n    kind: container\n    container:\n      env:\n"
                + "        ANTHROPIC_BASE_URL: http://gateway.example\n  - id: docs\n    kind: container\n");
        RelayCli.Result r = relay("agents");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("env builder: ANTHROPIC_BASE_URL=http://gateway.example HTTPS_PROXY=http://proxy.example:3128\n"),
                r.out());
        assertTrue(r.out().contains("env docs: HTTPS_PROXY=http://proxy.example:3128\n"), r.out());
    }

    @Test
    void completion_scripts_for_bash_and_zsh_know_the_commands() throws Exception {
        RelayCli.Result bash = relay("completion", "bash");
        assertEquals(0, bash.code(), bash.err());
        assertTrue(bash.out().contains("complete -F"), "a bash completion function");
        for (String cmd : new String[] {"run", "status", "send", "override", "agents", "agent", "hook", "completion"}) {
            assertTrue(bash.out().contains(cmd), cmd);
        }
        assertTrue(relay("completion", "zsh").out().startsWith("autoload -U +X bashcompinit && bashcompinit"));
        assertEquals(2, relay("completion", "fish").code());
        // the script is valid bash: bash parses it without running anything
        Path script = Files.writeString(home.resolve("relay-completion.bash"), bash.out());
        Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void help_is_available_on_every_command() {
        for (String cmd : new String[] {"run", "status", "topic", "send", "override", "pause", "resume", "agents", "agent", "hook",
            "completion", "init"}) {
            RelayCli.Result r = relay(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: relay " + cmd), r.out());
        }
        assertEquals(2, relay("no-such-command").code());
    }
}
