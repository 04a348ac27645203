package dev.relay.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutputParserTest {
    @Test
    void finds_results_between_the_markers_and_leaves_the_rest_as_log() {
        OutputParser p = new OutputParser();
        assertTrue(p.line("some log line").isEmpty());
        assertTrue(p.line(OutputParser.START).isEmpty());
        assertTrue(p.inBlock());
        assertTrue(p.line("{\"status\": \"success\",").isEmpty());
        assertTrue(p.line(" \"result\": \"done\", \"newSessionId\": \"s-1\"}").isEmpty());
        AgentOutput out = p.line(OutputParser.END).orElseThrow();
        assertTrue(out.success());
        assertEquals(Optional.of("done"), out.result());
        assertEquals(Optional.of("s-1"), out.newSessionId());
        assertFalse(p.inBlock());
    }

    @Test
    void an_error_block_carries_its_code_and_a_block_without_one_has_none() {
        OutputParser p = new OutputParser();
        p.line(OutputParser.START);
        p.line("{\"status\":\"error\",\"result\":null,\"error\":\"agent failed\",\"code\":\"session_not_found\"}");
        assertEquals(Optional.of(AgentSupervisor.SESSION_NOT_FOUND), p.line(OutputParser.END).orElseThrow().code());

        p.line(OutputParser.START);
        p.line("{\"status\":\"error\",\"result\":null,\"error\":\"No conversation found with session ID: x\"}");
        assertEquals(Optional.empty(), p.line(OutputParser.END).orElseThrow().code());
    }

    @Test
    void an_error_result_or_a_broken_block_is_an_error_never_dropped() {
        OutputParser p = new OutputParser();
        p.line(OutputParser.START);
        p.line("{\"status\":\"error\",\"result\":null,\"error\":\"quota\"}");
        AgentOutput err = p.line(OutputParser.END).orElseThrow();
        assertFalse(err.success());
        assertEquals(Optional.of("quota"), err.error());
        assertTrue(err.result().isEmpty());

        p.line(OutputParser.START);
        p.line("not json {");
        AgentOutput broken = p.line(OutputParser.END).orElseThrow();
        assertFalse(broken.success());
        assertTrue(broken.error().orElseThrow().contains("not JSON"));

        p.line(OutputParser.START);
        p.line("{\"status\":\"error\"}");
        assertTrue(p.line(OutputParser.END).orElseThrow().error().orElseThrow().contains("without a message"));
    }

    @Test
    void the_start_line_is_one_json_line_with_the_secrets_and_a_null_session() throws Exception {
        byte[] line = StartLine.encode("fix the\nbuild", Optional.empty(), "a1", "Agent One", Map.of("ANTHROPIC_API_KEY", "k"));
        String text = new String(line, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"));
        assertEquals(1, text.split("\n", -1).length - 1, "exactly one newline: " + text);
        var n = new ObjectMapper().readTree(text);
        assertEquals("fix the\nbuild", n.get("prompt").asText());
        assertTrue(n.get("sessionId").isNull());
        assertEquals("a1", n.get("agentSlug").asText());
        assertEquals("k", n.at("/secrets/ANTHROPIC_API_KEY").asText());
    }

    @Test
    void hardening_refuses_root_and_tiny_limits() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Hardening("0:0", 1L << 30, 64, true, null, java.util.List.of()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Hardening("root", 1L << 30, 64, true, null, java.util.List.of()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Hardening.DEFAULT.withMemory(1024));
    }

    @Test
    void exit_137_reads_as_killed() {
        assertTrue(new AgentExit(137, false).killed());
        assertTrue(new AgentExit(137, true).describe().contains("out of memory"));
        assertFalse(new AgentExit(0, false).killed());
    }
}
