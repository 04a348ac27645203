package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A shell command line run in a real pseudo-terminal (util-linux {@code script}): what it writes to the terminal is
 * collected, and keys are typed into it as bytes.
 */
final class Pty implements AutoCloseable {
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private final Process process;
    private final Thread reader;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private Pty(Process process) {
        this.process = process;
        InputStream in = process.getInputStream();
        this.reader = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (screen) {
                        screen.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the terminal is gone
            }
        }, "pty-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs {@code commandLine} with {@code sh -c} in a new pty, without the relay's settings from this environment. */
    static Pty start(String commandLine, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", commandLine, "/dev/null");
        pb.environment().keySet().removeIf(k -> k.startsWith("ANTHROPIC_") || k.startsWith("NTFY_") || k.startsWith("RELAY_")
                || k.startsWith("TRACKER_"));
        pb.environment().put("TERM", "xterm-256color");
        pb.environment().put("LANG", "C.UTF-8");
        pb.environment().put("SHELL", "/bin/sh");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        try {
            return new Pty(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything written to the terminal so far, escape sequences included. */
    String output() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    /** Where the output ends now, for {@link #outputSince}. */
    int mark() {
        synchronized (screen) {
            return screen.size();
        }
    }

    String outputSince(int mark) {
        synchronized (screen) {
            byte[] all = screen.toByteArray();
            return new String(all, mark, all.length - mark, StandardCharsets.UTF_8);
        }
    }

    OutputStream keys() {
        return process.getOutputStream();
    }

    void type(byte... bytes) throws IOException {
        keys().write(bytes);
        keys().flush();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Waits for the command line to end (20 s at most) and for its last output, and returns its exit code. */
    int exitCode() throws InterruptedException {
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "still running; the terminal shows: " + output());
        reader.join(5000);
        return process.exitValue();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
