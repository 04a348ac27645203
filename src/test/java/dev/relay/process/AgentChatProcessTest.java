package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.Await;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `relay agent SLUG` as a process: lines go to the agent, its results are printed, end of input closes it. */
@Tag("process")
class AgentChatProcessTest {
    @TempDir
    Path dir;

    @Test
    void lines_go_to_the_agent_results_come_back_and_ctrl_d_asks_it_to_close() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.writeString(home.resolve("config.yaml"), "sessions:\n  - id: c1\n    kind: container\n");
        Path out = dir.resolve("chat.out");
        Process chat = RelayProcess.start(home, Map.of(), out, "agent", "c1");
        OutputStream in = chat.getOutputStream();
        in.write("ECHO fix the build\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        Path jc = home.resolve("state/jc_input.txt");
        Await.until("the line is an override for c1", Duration.ofSeconds(30), () -> Files.exists(jc));
        assertEquals("@c1: ECHO fix the build", Files.readString(jc));

        Path log = Files.createDirectories(home.resolve("logs/agents")).resolve("c1.log");
        Await.until("the chat is following", Duration.ofSeconds(10), () -> readQuietly(out).contains("Chat with c1"));
        Files.writeString(log, "2026-11-23T09:00:00Z result echo: fix the build\n2026-11-23T09:00:01Z err a warning\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Await.until("the result is printed", Duration.ofSeconds(10), () -> readQuietly(out).contains("echo: fix the build"));
        Await.until("stderr is printed apart", Duration.ofSeconds(10), () -> readQuietly(out).contains("(stderr) a warning"));

        in.close();   // Ctrl-D
        assertTrue(chat.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, chat.exitValue(), readQuietly(out));
        assertTrue(Files.exists(home.resolve("agents/c1/ipc/input/_close")));
        assertTrue(readQuietly(out).contains("asked c1 to close"), readQuietly(out));
    }

    @Test
    void an_unknown_agent_is_a_usage_error() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home2"));
        Path out = dir.resolve("chat2.out");
        Process chat = RelayProcess.start(home, Map.of(), out, "agent", "nobody");
        assertTrue(chat.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, chat.exitValue());
        assertTrue(readQuietly(out).contains("no container agent \"nobody\""), readQuietly(out));
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
