package dev.relay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.core.Home;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    Home home() {
        return new Home(dir);
    }

    Settings load(Map<String, String> env, Map<String, String> flags) {
        return new ConfigLoader(env, flags).load(home(), false);
    }

    @Test
    void defaults_apply_when_nothing_is_configured() {
        Settings s = load(Map.of(), Map.of());
        assertEquals(Settings.DEFAULT_MODEL, s.model());
        assertEquals(8192, s.maxTokens());
        assertEquals(400_000, s.historyCharCap());
        assertEquals(10, s.keepRecentTurns());
        assertEquals("[NEEDS-JC]", s.needsJcToken());
        assertEquals(200, s.needsJcScanChars());
        assertEquals(Duration.ofSeconds(600), s.stuckQueueThreshold());
        assertEquals(1_048_576, s.maxEnvelopeBytes());
        assertEquals("https://api.anthropic.com", s.anthropicBaseUrl());
        assertEquals("https://ntfy.sh", s.ntfyServer());
        assertTrue(s.secrets().anthropicApiKey().isEmpty());
        assertTrue(s.prices().forModel("claude-sonnet-5-5-20261001").isPresent(), "dated ids match their family");
    }

    @Test
    void the_reply_topic_is_generated_once_and_kept_and_escalation_is_configurable() throws Exception {
        Settings first = new ConfigLoader(Map.of(), Map.of()).load(home(), true);
        assertTrue(first.phone().replyTopic().matches("relay-[a-z0-9]{24}"), first.phone().replyTopic());
        assertFalse(first.phone().replyTopic().equals(first.ntfyTopic()));
        assertTrue(Files.readString(dir.resolve(".env")).contains("NTFY_REPLY_TOPIC=" + first.phone().replyTopic()));
        assertEquals(first.phone().replyTopic(), new ConfigLoader(Map.of(), Map.of()).load(home(), true).phone().replyTopic());
        assertEquals(Duration.ofSeconds(1800), first.phone().renotify());
        assertEquals(3, first.phone().maxRenotify());

        Files.writeString(dir.resolve("config.yaml"), "escalation:\n  renotify_s: 600\n  max_renotify: 0\n");
        Settings tuned = load(Map.of(), Map.of());
        assertEquals(Duration.ofSeconds(600), tuned.phone().renotify());
        assertEquals(0, tuned.phone().maxRenotify());

        Files.writeString(dir.resolve("config.yaml"), "escalation:\n  renotify_s: 0\n");
        ConfigException zero = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(zero.getMessage().contains("escalation.renotify_s must be greater than 0"), zero.getMessage());

        Files.delete(dir.resolve(".env"));
        Files.writeString(dir.resolve("config.yaml"), "ntfy:\n  topic: same\n  reply_topic: same\n");
        ConfigException same = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(same.getMessage().contains("ntfy.reply_topic must differ from ntfy.topic"), same.getMessage());
    }

    @Test
    void permissions_rules_load_in_order_and_a_bad_one_is_reported_with_its_line() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), """
                permissions:
                  timeout_s: 30
                  triage: operator
                  rules:
                    - deny: "Bash(rm -rf:*)"
                    - allow: "Bash(npm test:*)"
                      session: web
                    - ask: "Edit(src/**)"
                """);
        dev.relay.permissions.PermissionPolicy p = load(Map.of(), Map.of()).permissions();
        assertEquals(Duration.ofSeconds(30), p.timeout());
        assertEquals(dev.relay.permissions.PermissionPolicy.Triage.OPERATOR, p.triage());
        assertEquals(java.util.List.of("deny Bash(rm -rf:*)", "allow Bash(npm test:*)", "ask Edit(src/**)"),
                p.rules().stream().map(r -> r.decision().wire() + " " + r.text()).toList());
        assertEquals(java.util.Optional.of("web"), p.rules().get(1).session());

        Files.writeString(dir.resolve("config.yaml"), """
                permissions:
                  rules:
                    - allow: "Bash(npm test:*)"
                    - deny: "Bash(rm -rf:*"
                """);
        ConfigException bad = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(bad.getMessage().contains("config.yaml:4"), bad.getMessage());
        assertTrue(bad.getMessage().contains("is not a rule"), bad.getMessage());

        Files.writeString(dir.resolve("config.yaml"), "permissions:\n  triage: coordinator\n");
        assertEquals(dev.relay.permissions.PermissionPolicy.Triage.COORDINATOR, load(Map.of(), Map.of()).permissions().triage());
        Files.writeString(dir.resolve("config.yaml"), "permissions:\n  triage: model\n");
        assertTrue(assertThrows(ConfigException.class, () -> load(Map.of(), Map.of())).getMessage()
                .contains("must be operator or coordinator"));

        Files.writeString(dir.resolve("config.yaml"), "permissions:\n  rules:\n    - allow: Bash\n      deny: Edit\n");
        assertTrue(assertThrows(ConfigException.class, () -> load(Map.of(), Map.of())).getMessage()
                .contains("one of allow:, deny: or ask:"));
    }

    @Test
    void flags_beat_environment_beat_dotenv_beat_yaml() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "model: from-yaml\nanthropic:\n  base_url: http://yaml.example\n");
        Files.writeString(dir.resolve(".env"), "RELAY_MODEL=from-dotenv\nANTHROPIC_BASE_URL=http://dotenv.example\nANTHROPIC_API_KEY='sk-ant-dotenv'\n");
        assertEquals("from-dotenv", load(Map.of(), Map.of()).model());
        assertEquals("http://dotenv.example", load(Map.of(), Map.of()).anthropicBaseUrl());
        assertEquals("from-env", load(Map.of("RELAY_MODEL", "from-env"), Map.of()).model());
        assertEquals("from-flag", load(Map.of("RELAY_MODEL", "from-env"), Map.of("RELAY_MODEL", "from-flag")).model());
        assertEquals("sk-ant-dotenv", load(Map.of(), Map.of()).secrets().anthropicApiKey().orElseThrow());
        assertFalse(load(Map.of(), Map.of()).secrets().toString().contains("sk-ant-dotenv"), "secrets never print");
    }

    @Test
    void the_agents_own_key_is_a_secret_like_the_others_and_sharing_the_coordinators_is_off_by_default() throws Exception {
        Files.writeString(dir.resolve(".env"), "ANTHROPIC_API_KEY=sk-ant-coordinator-0123456789\n"
                + "AGENT_ANTHROPIC_API_KEY=sk-ant-agents-0123456789\n");
        Settings s = load(Map.of(), Map.of());
        assertEquals("sk-ant-agents-0123456789", s.secrets().agentAnthropicApiKey().orElseThrow());
        assertTrue(s.secrets().values().contains("sk-ant-agents-0123456789"), "what the log redacts");
        assertFalse(s.secrets().toString().contains("sk-ant-agents"), s.secrets().toString());
        assertFalse(s.agents().shareCoordinatorKey());
        assertEquals("AGENT_ANTHROPIC_API_KEY (as ANTHROPIC_API_KEY in the container)", s.agentCredential().orElseThrow().describe());

        Files.writeString(dir.resolve(".env"), "ANTHROPIC_API_KEY=sk-ant-coordinator-0123456789\n");
        assertTrue(load(Map.of(), Map.of()).agentCredential().isEmpty(), "the coordinator's key is not the agents'");
        Files.writeString(dir.resolve("config.yaml"), "agents:\n  share_coordinator_key: true\n");
        s = load(Map.of(), Map.of());
        assertTrue(s.agents().shareCoordinatorKey());
        assertEquals(Map.of("ANTHROPIC_API_KEY", "sk-ant-coordinator-0123456789"), s.agentCredential().orElseThrow().secrets());
        assertEquals("CLAUDE_CODE_OAUTH_TOKEN",
                load(Map.of("CLAUDE_CODE_OAUTH_TOKEN", "oauth-0123456789"), Map.of()).agentCredential().orElseThrow().describe());

        Files.writeString(dir.resolve("config.yaml"), "agents:\n  share_coordinator_key: maybe\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(":2") && e.getMessage().contains("share_coordinator_key"), e.getMessage());
    }

    @Test
    void a_yaml_syntax_error_names_the_file_and_line() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "model: x\nsessions:\n  - id: a\n   kind: file\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith(dir.resolve("config.yaml") + ":4"), e.getMessage());
    }

    @Test
    void an_unknown_key_is_named_with_its_line_and_the_known_keys() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "model: x\nhistory_chars_cap: 5\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(":2: unknown key \"history_chars_cap\""), e.getMessage());
        assertTrue(e.getMessage().contains("history_char_cap"), e.getMessage());
    }

    @Test
    void bad_values_are_explained_with_their_line() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "model: x\nmax_tokens: -3\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("max_tokens must be greater than 0"), e.getMessage());
        assertTrue(e.getMessage().contains("config.yaml:"), e.getMessage());

        Files.writeString(dir.resolve("config.yaml"), "sessions:\n  - id: ok\n  - id: ../bad\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(":3") && e.getMessage().contains("../bad"), e.getMessage());

        Files.writeString(dir.resolve("config.yaml"), "sessions:\n  - id: a\n    kind: vm\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("kind must be file or container"), e.getMessage());

        Files.writeString(dir.resolve("config.yaml"), "history_char_cap: lots\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(":1") && e.getMessage().contains("lots"), e.getMessage());

        Files.writeString(dir.resolve("config.yaml"), "sessions:\n  - id: a\n  - id: a\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
    }

    @Test
    void batching_is_on_by_default_and_its_keys_are_read_and_checked_with_their_line() throws Exception {
        assertEquals(new Settings.BatchSettings(8, 48_000, Duration.ofMillis(2000)), load(Map.of(), Map.of()).batch());
        Files.writeString(dir.resolve("config.yaml"), "batch:\n  max_envelopes: 1\n  linger_ms: 0\n");
        Settings one = load(Map.of(), Map.of());
        assertEquals(new Settings.BatchSettings(1, 48_000, Duration.ZERO), one.batch());
        assertFalse(one.batch().on());

        Files.writeString(dir.resolve("config.yaml"), "model: x\nbatch:\n  max_envelopes: 0\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("batch.max_envelopes must be greater than 0") && e.getMessage().contains("config.yaml:"),
                e.getMessage());
        Files.writeString(dir.resolve("config.yaml"), "batch:\n  max_envelope: 4\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("max_envelope") && e.getMessage().contains(":2"), e.getMessage());
    }

    @Test
    void a_key_given_twice_at_the_top_level_is_refused_with_both_lines() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "sessions:\n  - id: first\nmodel: x\nsessions:\n  - id: second\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertEquals(dir.resolve("config.yaml") + ":4: duplicate key \"sessions\" (first at line 1); a key can be given only once",
                e.getMessage());
    }

    @Test
    void a_key_given_twice_in_a_nested_block_is_refused_with_its_block_and_both_lines() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "sessions:\n  - id: a\n    kind: container\n    image: x\n    kind: file\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertEquals(config + ":5: duplicate key \"kind\" in sessions[0] (first at line 3); a key can be given only once",
                e.getMessage());

        Files.writeString(config, "model: x\nanthropic:\n  base_url: http://a.example\n  base_url: http://b.example\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith(config + ":4: duplicate key \"base_url\" in anthropic (first at line 3)"), e.getMessage());

        Files.writeString(config, "sessions:\n  - id: a\n  - id: b\n    kind: container\n    container:\n      memory: 1g\n"
                + "      network: none\n      memory: 2g\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith(config + ":8: duplicate key \"memory\" in sessions[1].container (first at line 6)"),
                e.getMessage());

        Files.writeString(config, "prices:\n  m1: {input: 1, output: 2, cache_write_5m: 3, cache_write_1h: 4, cache_read: 5}\n"
                + "  m1: {input: 9, output: 9, cache_write_5m: 9, cache_write_1h: 9, cache_read: 9}\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith(config + ":3: duplicate key \"m1\" in prices (first at line 2)"), e.getMessage());

        Files.writeString(config, "ntfy: {server: http://a.example, server: http://b.example}\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith(config + ":1: duplicate key \"server\" in ntfy (first at line 1)"), e.getMessage());
    }

    @Test
    void equal_keys_in_different_blocks_are_not_duplicates() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "sessions:\n  - id: a\n    kind: file\n  - id: b\n    kind: file\n"
                + "ntfy:\n  server: http://n.example\ntracker:\n  url: http://t.example\n");
        Settings s = load(Map.of(), Map.of());
        assertEquals(2, s.sessions().size());
        assertEquals("http://n.example", s.ntfyServer());
    }

    @Test
    void container_env_is_given_to_every_container_session_and_a_sessions_own_wins() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "container:\n  env:\n    ANTHROPIC_BASE_URL: http://gateway.example:8080\n"
                + "    HTTPS_PROXY: http://proxy.example:3128\n    GIT_AUTHOR_NAME: Relay agent\n    RETRIES: 3\n"
                + "sessions:\n  - id: a\n    kind: container\n  - id: b\n    kind: container\n    container:\n      env:\n"
                + "        HTTPS_PROXY: http://other-proxy.example:3128\n        EMPTY: \"\"\n");
        Settings s = load(Map.of(), Map.of());
        assertEquals(Map.of("ANTHROPIC_BASE_URL", "http://gateway.example:8080", "HTTPS_PROXY", "http://proxy.example:3128",
                "GIT_AUTHOR_NAME", "Relay agent", "RETRIES", "3"), s.containerEnv(s.sessions().get(0)));
        assertEquals(Map.of("ANTHROPIC_BASE_URL", "http://gateway.example:8080", "HTTPS_PROXY", "http://other-proxy.example:3128",
                "GIT_AUTHOR_NAME", "Relay agent", "RETRIES", "3", "EMPTY", ""), s.containerEnv(s.sessions().get(1)));
    }

    @Test
    void a_secret_looking_name_in_container_env_is_refused_at_its_line_pointing_to_dotenv() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "container:\n  env:\n    ANTHROPIC_BASE_URL: http://gateway.example\n    MY_API_KEY: sk-123\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertEquals(config + ":4: \"MY_API_KEY\" in container.env looks like a secret (its name contains KEY): secrets go in"
                + " .env, never in config.yaml, and an agent gets only its credential (CLAUDE_CODE_OAUTH_TOKEN or"
                + " AGENT_ANTHROPIC_API_KEY)", e.getMessage());
        assertFalse(e.getMessage().contains("sk-123"), "the value is not repeated");

        for (String name : new String[] {"github_token", "DB_PASSWORD", "Client_Secret", "GOOGLE_APPLICATION_CREDENTIALS",
            "ANTHROPIC_AUTH_TOKEN", "PROXY_AUTHORIZATION", "BASIC_AUTH", "ANTHROPIC_CUSTOM_HEADERS"}) {
            Files.writeString(config, "sessions:\n  - id: a\n    kind: container\n    container:\n      network: none\n"
                    + "      env:\n        NO_PROXY: localhost\n        " + name + ": x\n");
            e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()), name);
            assertTrue(e.getMessage().startsWith(config + ":8: \"" + name + "\" in sessions[0].container.env looks like a secret"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("secrets go in .env"), e.getMessage());
        }
    }

    @Test
    void an_invalid_or_reserved_variable_name_in_container_env_is_refused_at_its_line() throws Exception {
        Path config = dir.resolve("config.yaml");
        for (String name : new String[] {"MY-VAR", "1ST", "\"A B\"", "\"X=Y\""}) {
            Files.writeString(config, "container:\n  env:\n    " + name + ": v\n");
            ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()), name);
            assertEquals(config + ":3: \"" + name.replace("\"", "") + "\" in container.env is not a variable name: letters,"
                    + " digits and _, not starting with a digit", e.getMessage());
        }
        Files.writeString(config, "container:\n  env:\n    OK: v\n    HOME: /tmp\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertEquals(config + ":4: \"HOME\" in container.env is set by the relay itself", e.getMessage());

        Files.writeString(config, "container:\n  env:\n    NOTHING:\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith(config + ":3: \"NOTHING\" in container.env has no value"), e.getMessage());

        Files.writeString(config, "container:\n  memory: 2g\n");
        e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(":2: unknown key \"memory\"") && e.getMessage().contains("known keys: env"), e.getMessage());
    }

    @Test
    void a_bad_dotenv_line_is_named_without_echoing_its_value() throws Exception {
        Files.writeString(dir.resolve(".env"), "OK=1\nsk-ant-oops-this-is-a-key\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(".env:2"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-ant-oops"), e.getMessage());
    }

    @Test
    void the_ntfy_topic_is_generated_once_and_kept_in_dotenv_with_mode_0600() throws Exception {
        Files.writeString(dir.resolve(".env"), "# my secrets\nANTHROPIC_API_KEY=k\n");
        String topic = new ConfigLoader(Map.of(), Map.of()).load(home(), true).ntfyTopic();
        assertTrue(topic.matches("relay-[a-z0-9]{24}"), topic);
        assertEquals(topic, new ConfigLoader(Map.of(), Map.of()).load(home(), true).ntfyTopic());
        String env = Files.readString(dir.resolve(".env"));
        assertTrue(env.startsWith("# my secrets\nANTHROPIC_API_KEY=k\n"), env);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(".env"))));
    }

    @Test
    void prices_from_yaml_override_the_built_in_entry() throws Exception {
        Files.writeString(dir.resolve("config.yaml"),
                "prices:\n  claude-sonnet-5-5: {input: 1, output: 2, cache_write_5m: 3, cache_write_1h: 4, cache_read: 5}\n");
        Price p = load(Map.of(), Map.of()).prices().forModel("claude-sonnet-5-5").orElseThrow();
        assertEquals(new Price(1, 2, 3, 4, 5), p);
    }

    @Test
    void system_prompt_file_is_read_relative_to_the_home() throws Exception {
        Files.writeString(dir.resolve("coordinator.md"), "Be brief.");
        Files.writeString(dir.resolve("config.yaml"), "system_prompt_file: coordinator.md\n");
        assertEquals("Be brief.", load(Map.of(), Map.of()).systemPrompt());
    }
}
