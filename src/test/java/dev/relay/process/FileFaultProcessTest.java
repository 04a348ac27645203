package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.cli.Main;
import dev.relay.core.SessionId;
import dev.relay.queue.EnvelopeWriter;
import dev.relay.testing.Await;
import dev.relay.testing.FakeAnthropic;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay as a real process on a bad night: a home on a full disk (a 2 MB tmpfs), and a session directory its agent
 * made read-only, with the relay run as an unprivileged user (root would write it anyway). Both need root to set up
 * (mount, setpriv), which CI has.
 */
@Tag("process")
class FileFaultProcessTest {
    private static final String KEY = "sk-ant-fault-test-SECRET-0123456789";
    private static final int NOBODY = 65534;

    @TempDir
    Path dir;

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    static String cli(Path home, String... args) {
        StringWriter out = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--home", home.toString()));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new), Map.of(), new PrintWriter(out, true), new PrintWriter(out, true));
        return code + ":" + out;
    }

    static Optional<String> take(Path home, String session) {
        Path input = home.resolve("dispatch").resolve(session).resolve("input.txt");
        try {
            String text = Files.readString(input);
            Files.delete(input);
            return Optional.of(text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static String awaitReply(Path home, String session, Duration timeout) {
        String[] got = new String[1];
        Await.until("a reply in dispatch/" + session, timeout, () -> take(home, session).map(t -> got[0] = t).isPresent());
        return got[0];
    }

    /** Processor time the process used so far, in clock ticks (utime + stime of /proc/PID/stat). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long lines(Path log) throws IOException {
        try (Stream<String> s = Files.lines(log)) {
            return s.count();
        }
    }

    @Test
    void a_full_disk_pauses_the_relay_without_spinning_says_so_and_once_freed_every_reply_goes_out_once() throws Exception {
        assumeTrue(root(), "mounting a small tmpfs needs root (CI runs as root)");
        Path home = Files.createDirectory(dir.resolve("home"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", home.toString()) == 0, "mount failed");
        Path out = dir.resolve("relay.log");
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.replies(req -> "reply " + req.path("messages").size());
            Files.writeString(home.resolve("config.yaml"), "sessions:\n  - id: s1\n");
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", KEY, "ANTHROPIC_BASE_URL", api.baseUrl(),
                    "NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t");
            Process relay = RelayProcess.start(home, env, out, "run", "--daemon");
            try {
                Await.until("relay running", Duration.ofSeconds(30), () -> cli(home, "status").contains("running (pid " + relay.pid()));
                EnvelopeWriter.write(home.resolve("queue"), SessionId.of("s1"), "before the disk fills", Optional.empty());
                assertEquals("reply 1", awaitReply(home, "s1", Duration.ofSeconds(20)));

                // the next turns are on their way when the disk fills: the call is slow, the disk fills meanwhile
                api.latency(Duration.ofSeconds(2));
                for (int i = 2; i <= 4; i++) {
                    EnvelopeWriter.write(home.resolve("queue"), SessionId.of("s1"), "report " + i, Optional.empty());
                }
                Await.until("the second call out", Duration.ofSeconds(20), () -> api.requests().size() >= 2);
                Path fill = home.resolve("fill");
                try (OutputStream o = Files.newOutputStream(fill)) {
                    byte[] chunk = new byte[16 * 1024];
                    while (true) {
                        o.write(chunk);
                        o.flush();
                    }
                } catch (IOException expected) {
                    assertTrue(expected.getMessage().contains("No space left"), expected.toString());
                }
                Thread.sleep(4000);   // the call returns into the full disk; the relay settles into its pauses

                long linesBefore = lines(out);
                long ticksBefore = cpuTicks(relay.pid());
                long t0 = System.nanoTime();
                Thread.sleep(6000);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double cores = (cpuTicks(relay.pid()) - ticksBefore) / 100.0 / seconds;
                long newLines = lines(out) - linesBefore;
                System.out.printf("full disk: %.3f cores, %d log lines in %.1f s%n", cores, newLines, seconds);
                // it spun at 1.3-1.7 cores, logging ~5,000 lines a second; now it waits between tries
                assertTrue(cores < 0.3, "the relay used " + cores + " cores while the disk was full");
                assertTrue(newLines < 30, newLines + " log lines in 6 s while the disk was full:\n" + tail(out));
                assertTrue(relay.isAlive());
                String status = cli(home, "status");
                assertTrue(status.contains(": running") && !status.contains("not running"), status);
                assertTrue(status.contains("No space left on device") || status.contains("not telling"), status);
                assertTrue(Files.readString(out).contains("No space left on device"), tail(out));

                Files.delete(fill);
                List<String> replies = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    replies.add(awaitReply(home, "s1", Duration.ofSeconds(40)));
                }
                assertEquals(List.of("reply 3", "reply 5", "reply 7"), replies, "in order, each once");
                Await.until("status fresh and running", Duration.ofSeconds(20), () -> {
                    String s = cli(home, "status");
                    return s.contains("State:      running") && !s.contains("not telling");
                });
                Thread.sleep(1500);
                assertEquals(Optional.empty(), take(home, "s1"), "a reply came twice");
                assertEquals(4, api.calls(), "one call per envelope, none repeated");
                assertTrue(Files.readString(out).contains("the relay writes its files again"), tail(out));
            } finally {
                relay.destroy();
                assertTrue(relay.waitFor(20, TimeUnit.SECONDS));
            }
        } finally {
            run("umount", "-l", home.toString());
        }
    }

    @Test
    void a_session_directory_made_read_only_blocks_that_session_alone_with_its_cause() throws Exception {
        assumeTrue(root(), "running the relay as another user needs root (CI runs as root)");
        assumeTrue(run("setpriv", "--version") == 0, "setpriv (util-linux) is missing");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectory(dir.resolve("home"));
        Path out = dir.resolve("relay.log");
        try (FakeAnthropic api = new FakeAnthropic(Clock.systemUTC())) {
            api.replies(req -> "ok " + req.path("messages").size());
            Files.writeString(home.resolve("config.yaml"), "sessions:\n  - id: s1\n  - id: s2\n");
            Path s1 = Files.createDirectories(home.resolve("dispatch/s1"));
            chownAll(home);
            Files.setPosixFilePermissions(s1, PosixFilePermissions.fromString("r-x------"));   // what the agent did
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", KEY, "ANTHROPIC_BASE_URL", api.baseUrl(),
                    "NTFY_SERVER", "http://127.0.0.1:9", "NTFY_TOPIC", "t", "HOME", home.toString());
            Process relay = RelayProcess.startCopyAs(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"),
                    dir, home, env, out, "run", "--daemon");
            try {
                Await.until("relay running", Duration.ofSeconds(30), () -> cli(home, "status").contains("running (pid " + relay.pid()),
                        () -> cli(home, "status") + "\n" + DaemonProcessTest.read(out));
                drop(home, "s1", "from s1");
                Await.until("s1's turn answered", Duration.ofSeconds(20), () -> api.calls() >= 1);
                drop(home, "s2", "from s2");
                assertEquals("ok 3", awaitReply(home, "s2", Duration.ofSeconds(20)));
                Path jc = dir.resolve("jc_input.txt");
                Files.writeString(jc, "@s2: the operator still gets through");
                Files.move(chownAll(jc), home.resolve("state/jc_input.txt"));
                assertEquals("the operator still gets through", awaitReply(home, "s2", Duration.ofSeconds(20)));

                Await.until("status shows s1 blocked", Duration.ofSeconds(10),
                        () -> cli(home, "status").contains("BLOCKED"));
                String status = cli(home, "status");
                assertTrue(status.matches("(?s).*Session:\\s+s1\\s+file\\s+BLOCKED since \\S+: Permission denied.*"), status);
                assertTrue(status.contains("Last error: session s1 blocked: ") && status.contains("Permission denied"), status);
                Thread.sleep(3000);
                String log = Files.readString(out);
                long warnings = log.lines().filter(l -> l.contains("cannot be handed over")).count();
                assertEquals(1, warnings, "one warning, not one per try:\n" + tail(out));
                assertFalse(log.contains("\tat "), "no stack traces:\n" + tail(out));

                Files.setPosixFilePermissions(s1, PosixFilePermissions.fromString("rwx------"));
                assertEquals("ok 1", awaitReply(home, "s1", Duration.ofSeconds(40)));
                Await.until("s1 unblocked", Duration.ofSeconds(10), () -> !cli(home, "status").contains("BLOCKED"));
            } finally {
                relay.destroy();
                assertTrue(relay.waitFor(20, TimeUnit.SECONDS));
            }
        }
    }

    /** An envelope written as the relay's user would: made aside, given to that user, then renamed into queue/. */
    void drop(Path home, String session, String text) throws IOException {
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path made = chownAll(EnvelopeWriter.write(staging, SessionId.of(session), text, Optional.empty()));
        Files.move(made, home.resolve("queue").resolve(made.getFileName()));
    }

    static Path chownAll(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                Files.setAttribute(p, "unix:uid", NOBODY, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", NOBODY, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
        return root;
    }

    static String tail(Path log) throws IOException {
        List<String> all = Files.readAllLines(log);
        return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    }
}
