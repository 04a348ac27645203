package dev.relay.permissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.permissions.PermissionRule.Decision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Rule matching in Claude Code's rule syntax, over tool inputs as Claude Code's PermissionRequest hook gives them. */
class PermissionRuleTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path PROJECT = Path.of("/srv/work/web");

    static PermissionRule rule(Decision d, String text) {
        return PermissionRule.parse(d, text, Optional.empty());
    }

    static JsonNode bash(String command) {
        ObjectNode n = JSON.createObjectNode();
        n.put("command", command);
        n.put("description", "a command");
        return n;
    }

    static JsonNode file(String path) {
        return JSON.createObjectNode().put("file_path", path).put("old_string", "a").put("new_string", "b");
    }

    static boolean covers(PermissionRule r, String tool, JsonNode input) {
        return r.matches("web", tool, input, PROJECT);
    }

    @Test
    void a_prefix_rule_covers_the_command_and_its_arguments_at_a_word_boundary() {
        PermissionRule npmTest = rule(Decision.ALLOW, "Bash(npm test:*)");
        assertTrue(covers(npmTest, "Bash", bash("npm test")));
        assertTrue(covers(npmTest, "Bash", bash("npm test -- --watch=false")));
        assertFalse(covers(npmTest, "Bash", bash("npm testx")));
        assertFalse(covers(npmTest, "Bash", bash("npm install")));
        assertFalse(covers(npmTest, "Edit", file("src/a.ts")), "another tool");
    }

    @Test
    void an_allow_rule_covers_a_compound_command_only_if_it_covers_every_part_and_a_deny_rule_any_part() {
        assertFalse(covers(rule(Decision.ALLOW, "Bash(npm test:*)"), "Bash", bash("npm test && rm -rf /")));
        assertTrue(covers(rule(Decision.ALLOW, "Bash(npm test:*)"), "Bash", bash("npm test; npm test -- -u")));
        assertTrue(covers(rule(Decision.DENY, "Bash(rm -rf:*)"), "Bash", bash("npm test && rm -rf build")));
        assertTrue(covers(rule(Decision.ASK, "Bash(git push:*)"), "Bash", bash("git add . | cat || git push origin main")));
    }

    @Test
    void wildcards_match_any_characters_and_a_lone_trailing_one_is_optional() {
        PermissionRule gitMain = rule(Decision.ALLOW, "Bash(git * main)");
        assertTrue(covers(gitMain, "Bash", bash("git push origin main")));
        assertFalse(covers(gitMain, "Bash", bash("git push origin dev")));
        PermissionRule ls = rule(Decision.ALLOW, "Bash(ls *)");
        assertTrue(covers(ls, "Bash", bash("ls")));
        assertTrue(covers(ls, "Bash", bash("ls -la src")));
        assertFalse(covers(ls, "Bash", bash("lsof -i")));
        assertTrue(covers(rule(Decision.ALLOW, "Bash(npm install)"), "Bash", bash("npm install")));
        assertFalse(covers(rule(Decision.ALLOW, "Bash(npm install)"), "Bash", bash("npm install left-pad")), "exact");
    }

    @Test
    void file_patterns_are_gitignore_style_relative_to_the_project() {
        PermissionRule src = rule(Decision.ASK, "Edit(src/**)");
        assertTrue(covers(src, "Edit", file("src/app/main.ts")));
        assertTrue(covers(src, "Edit", file("/srv/work/web/src/index.ts")), "an absolute path inside the project");
        assertFalse(covers(src, "Edit", file("test/main.ts")));
        assertFalse(covers(src, "Edit", file("../other/src/main.ts")));
        PermissionRule env = rule(Decision.DENY, "Read(*.env)");
        assertTrue(covers(env, "Read", file(".env")));
        assertTrue(covers(env, "Read", file("config/prod.env")), "a bare name at any depth");
        assertTrue(covers(rule(Decision.DENY, "Write(//etc/**)"), "Write", file("/etc/passwd")), "// is absolute");
        assertTrue(covers(rule(Decision.ALLOW, "Edit(/docs/*.md)"), "Edit", file("docs/README.md")), "/ is the project's root");
        assertFalse(covers(rule(Decision.ALLOW, "Edit(/docs/*.md)"), "Edit", file("docs/api/x.md")));
    }

    @Test
    void tool_names_web_domains_mcp_servers_and_sessions() {
        assertTrue(covers(rule(Decision.ALLOW, "Edit"), "Edit", file("anything")));
        assertTrue(covers(rule(Decision.ALLOW, "WebFetch(domain:example.com)"), "WebFetch",
                JSON.createObjectNode().put("url", "https://docs.example.com/a")));
        assertFalse(covers(rule(Decision.ALLOW, "WebFetch(domain:example.com)"), "WebFetch",
                JSON.createObjectNode().put("url", "https://example.com.evil.io/")));
        assertTrue(covers(rule(Decision.ALLOW, "mcp__github"), "mcp__github__create_issue", JSON.createObjectNode()));
        assertFalse(covers(rule(Decision.ALLOW, "mcp__github__create_issue"), "mcp__github__delete_repo", JSON.createObjectNode()));
        PermissionRule forApi = PermissionRule.parse(Decision.ALLOW, "Bash(npm test:*)", Optional.of("api"));
        assertFalse(covers(forApi, "Bash", bash("npm test")), "a rule for another session");
        assertTrue(forApi.matches("api", "Bash", bash("npm test"), PROJECT));
    }

    @Test
    void the_policy_checks_its_rules_in_order_and_the_first_match_decides() {
        PermissionPolicy p = new PermissionPolicy(List.of(rule(Decision.DENY, "Bash(rm -rf:*)"),
                rule(Decision.ALLOW, "Bash(rm -rf build:*)"), rule(Decision.ALLOW, "Bash")), PermissionPolicy.Triage.OPERATOR,
                Duration.ofSeconds(60));
        assertEquals(Decision.DENY, p.decide("web", "Bash", bash("rm -rf build"), PROJECT).orElseThrow().decision(),
                "the deny comes first");
        assertEquals(Decision.ALLOW, p.decide("web", "Bash", bash("make"), PROJECT).orElseThrow().decision());
        assertEquals(Optional.empty(), p.decide("web", "Edit", file("a"), PROJECT), "no rule: the triage decides");
    }

    /** An input recorded from the real Claude Code's PermissionRequest hook (PermissionRequestHookTest). */
    static JsonNode recorded(String name) throws Exception {
        try (var in = PermissionRuleTest.class.getResourceAsStream("permission-request-" + name + ".json")) {
            return JSON.readTree(in);
        }
    }

    @Test
    void rules_decide_over_inputs_recorded_from_the_real_cli() throws Exception {
        PermissionPolicy p = new PermissionPolicy(List.of(rule(Decision.DENY, "Bash(touch:*)"),
                rule(Decision.ALLOW, "Bash(npm test:*)")), PermissionPolicy.Triage.OPERATOR, Duration.ofSeconds(60));
        for (String name : List.of("touch", "npm-test")) {
            JsonNode in = recorded(name);
            assertEquals("PermissionRequest", in.path("hook_event_name").asText());
            Optional<PermissionRule> r = p.decide("web", in.path("tool_name").asText(), in.path("tool_input"),
                    Path.of(in.path("cwd").asText()));
            assertEquals(name.equals("touch") ? Decision.DENY : Decision.ALLOW, r.orElseThrow().decision(), name);
        }
    }

    @Test
    void a_bad_rule_says_what_is_wrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rule(Decision.ALLOW, "Bash(npm test:*"))
                .getMessage().contains("is not a rule"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rule(Decision.ALLOW, "Bash()"))
                .getMessage().contains("empty parentheses"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rule(Decision.ALLOW, "Task(anything)"))
                .getMessage().contains("give the tool name alone"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rule(Decision.ALLOW, "WebFetch(example.com)"))
                .getMessage().contains("domain:"));
    }
}
