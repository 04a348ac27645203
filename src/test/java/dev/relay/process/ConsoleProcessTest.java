package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `relay` in a real pseudo-terminal (util-linux `script`): attached to a daemon started as systemd would, it shows
 * the daemon, acts on it with keys, and quitting it leaves the daemon running; with the relay inside, Ctrl-S does not
 * freeze it, and however it ends the terminal gets back the settings it had.
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
            Pty console = null;
            try {
                Await.until("the daemon is running", Duration.ofSeconds(30), () -> {
                    try {
                        return state(home).equals("running");
                    } catch (Exception e) {
                        return false;
                    }
                });
                Pty pty = Pty.start("stty rows 30 cols 100; exec " + Pty.JAVA + " -jar " + RelayProcess.JAR + " --home " + home,
                        Map.of());
                console = pty;
                java.util.function.Supplier<String> output = pty::output;
                Await.until("the console shows the daemon", Duration.ofSeconds(30),
                        () -> output.get().contains("attached to pid " + daemon.pid()));

                OutputStream keys = console.keys();
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
                assertEquals(0, console.exitCode(), output.get());
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
                    console.close();
                }
                daemon.destroy();
                daemon.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The shell line of a console with the relay inside, in a terminal set up as a user's might be: XON/XOFF flow
     * control on both ways and an interrupt character of their own, so that "as before" is not the pty's defaults.
     * It prints the terminal's settings ({@code stty -g}) before and after the console.
     */
    private static String consoleBetweenSttyChecks(Path home) {
        return "stty rows 30 cols 100 ixon ixoff intr '^X'; echo \"tty-before:$(stty -g)\"; "
                + Pty.JAVA + " -jar " + RelayProcess.JAR + " --home " + home
                + "; rc=$?; echo \"tty-after:$(stty -g)\"; stty -a; exit $rc";
    }

    private static String stty(String output, String marker) {
        Matcher m = Pattern.compile(marker + ":([0-9a-f:]+)").matcher(output);
        assertTrue(m.find(), "no " + marker + " in: " + output);
        return m.group(1);
    }

    /** The console's JVM, once it runs (under script's shell). */
    private static ProcessHandle consoleJvm(Pty pty) {
        AtomicReference<ProcessHandle> jvm = new AtomicReference<>();
        Await.until("the console's JVM has started", Duration.ofSeconds(30), () -> {
            pty.handle().descendants().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst().ifPresent(jvm::set);
            return jvm.get() != null;
        });
        return jvm.get();
    }

    /** What {@code stty -a} says of the terminal the console reads (its stdin, the pty's slave). */
    private static String sttyOfConsole(Pty pty) throws Exception {
        Path tty = Files.readSymbolicLink(Path.of("/proc", Long.toString(consoleJvm(pty).pid()), "fd", "0"));
        Process p = new ProcessBuilder("stty", "-a").redirectInput(tty.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    private static boolean hasFlag(String sttyAll, String flag) {
        return Pattern.compile("(^|\\s)" + Pattern.quote(flag) + "(\\s|$)").matcher(sttyAll).find();
    }

    @Test
    void ctrl_s_reaches_the_console_as_a_key_and_the_terminal_gets_its_flow_control_back() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        try (Pty pty = Pty.start(consoleBetweenSttyChecks(home), Map.of("NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t"))) {
            Await.until("the console is drawn", Duration.ofSeconds(30), () -> pty.output().contains("Nothing waiting"));
            String during = sttyOfConsole(pty);
            assertTrue(hasFlag(during, "-ixon") && hasFlag(during, "-ixoff"), "flow control is off while it runs: " + during);

            int mark = pty.mark();
            pty.type((byte) 0x13); // Ctrl-S: with ixon on, the tty stops the console's output here
            pty.type((byte) '?');
            Await.until("the help, drawn after Ctrl-S", () -> pty.outputSince(mark).contains("closes"));
            pty.type((byte) 'x'); // closes the help
            pty.type((byte) 0x13, (byte) 0x11); // Ctrl-S and Ctrl-Q do nothing
            pty.type((byte) 0x03); // Ctrl-C: quit, asking first
            pty.type((byte) 'y');
            assertEquals(0, pty.exitCode(), pty.output());

            String output = pty.output();
            assertEquals(stty(output, "tty-before"), stty(output, "tty-after"), "the terminal's settings, before and after");
            String after = output.substring(output.indexOf("tty-after:"));
            assertTrue(hasFlag(after, "ixon") && hasFlag(after, "ixoff"), after);
            assertTrue(after.contains("intr = ^X;"), after);
        }
    }

    @Test
    void sigterm_ends_the_console_and_restores_the_terminal() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        try (Pty pty = Pty.start(consoleBetweenSttyChecks(home), Map.of("NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t"))) {
            Await.until("the console is drawn", Duration.ofSeconds(30), () -> pty.output().contains("Nothing waiting"));
            ProcessHandle jvm = consoleJvm(pty);
            assertTrue(jvm.destroy(), "SIGTERM sent");
            pty.exitCode();
            assertFalse(jvm.isAlive());
            String output = pty.output();
            assertEquals(stty(output, "tty-before"), stty(output, "tty-after"), "the terminal's settings, before and after");
        }
    }
}
