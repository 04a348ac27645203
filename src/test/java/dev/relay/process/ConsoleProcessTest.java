package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `relay` in a real pseudo-terminal (util-linux `script`), attached to a daemon started as systemd would: it shows
 * the daemon, acts on it with keys, and quitting it leaves the daemon running.
 */
@Tag("process")
class ConsoleProcessTest {
    @TempDir
    Path dir;

    private static String state(Path home) throws Exception {
        Path status = home.resolve("state/status.json");
        return Files.exists(status) ? new ObjectMapper().readTree(status.toFile()).path("state").asText() : "";
    }

    @Test
    void the_console_attaches_to_a_running_daemon_acts_on_it_and_leaves_it_running() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.replies(req -> "carry on");
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-console-test-0123456789",
                    "ANTHROPIC_BASE_URL", api.baseUrl(), "NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t");
            Process daemon = RelayProcess.start(home, env, dir.resolve("daemon.log"), "run", "--daemon");
            Process console = null;
            try {
                Await.until("the daemon is running", Duration.ofSeconds(30), () -> {
                    try {
                        return state(home).equals("running");
                    } catch (Exception e) {
                        return false;
                    }
                });
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                String inner = "stty rows 30 cols 100; exec " + java + " -jar " + RelayProcess.JAR + " --home " + home;
                ProcessBuilder pb = new ProcessBuilder("script", "-qfec", inner, "/dev/null");
                pb.environment().put("TERM", "xterm-256color");
                pb.environment().put("LANG", "C.UTF-8");
                pb.redirectErrorStream(true);
                console = pb.start();
                ByteArrayOutputStream screen = new ByteArrayOutputStream();
                InputStream in = console.getInputStream();
                Thread reader = new Thread(() -> {
                    byte[] buf = new byte[8192];
                    try {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            synchronized (screen) {
                                screen.write(buf, 0, n);
                            }
                        }
                    } catch (java.io.IOException ignored) {
                        // the console ended
                    }
                });
                reader.setDaemon(true);
                reader.start();
                java.util.function.Supplier<String> output = () -> {
                    synchronized (screen) {
                        return screen.toString(StandardCharsets.UTF_8);
                    }
                };
                Await.until("the console shows the daemon", Duration.ofSeconds(30),
                        () -> output.get().contains("attached to pid " + daemon.pid()));

                OutputStream keys = console.getOutputStream();
                keys.write('p');
                keys.flush();
                Await.until("the daemon paused by the key", () -> {
                    try {
                        return state(home).equals("paused");
                    } catch (Exception e) {
                        return false;
                    }
                });
                Await.until("the console shows it", () -> output.get().contains("PAUSED"));
                keys.write('r');
                keys.flush();
                Await.until("the daemon resumed", () -> {
                    try {
                        return state(home).equals("running");
                    } catch (Exception e) {
                        return false;
                    }
                });
                keys.write("qy".getBytes(StandardCharsets.US_ASCII));
                keys.flush();
                assertTrue(console.waitFor(20, TimeUnit.SECONDS), output.get());
                assertEquals(0, console.exitValue(), output.get());
                reader.join(5000);
                assertTrue(output.get().contains("keeps running"), output.get());
                assertTrue(daemon.isAlive(), "closing the console never stops the daemon");
                Await.until("the daemon's heartbeat goes on", () -> {
                    try {
                        return state(home).equals("running");
                    } catch (Exception e) {
                        return false;
                    }
                });
            } finally {
                if (console != null) {
                    console.destroyForcibly();
                }
                daemon.destroy();
                daemon.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }
}
