package dev.relay.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay started the one-line way, `jbang jbang/relay.java`, with a real jbang: dev.jbang:jbang-cli from Maven Central,
 * run by .ci/jbang exactly as jbang's own launcher runs it (exit 255 means: execute the command line it printed).
 * jbang compiles the checkout's sources itself, with a fresh JBANG_DIR, so nothing from target/ is used.
 */
@Tag("process")
class JbangProcessTest {
    record Run(int code, String out) {}

    @TempDir
    Path dir;

    Run jbang(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", Path.of(".ci", "jbang").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("ANTHROPIC_") || k.startsWith("NTFY_") || k.startsWith("RELAY_HOME")
                || k.startsWith("TRACKER_"));
        pb.environment().put("JBANG_DIR", dir.resolve("jbang-home").toString());
        Path output = dir.resolve("output-" + System.nanoTime() + ".txt");
        pb.redirectErrorStream(true);
        pb.redirectOutput(output.toFile());
        Process p = pb.start();
        // The first call may fetch jbang-cli with Maven and compile Relay: minutes on a cold machine, seconds after.
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "jbang " + String.join(" ", args) + " did not finish");
        return new Run(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    @Test
    void the_launcher_compiles_relay_and_runs_its_commands_on_a_fresh_home() throws Exception {
        Run help = jbang("jbang/relay.java", "--help");
        assertEquals(0, help.code(), help.out());
        assertTrue(help.out().contains("Usage: relay"), help.out());
        for (String command : List.of("run", "status", "send", "override", "agents", "hook", "completion", "init")) {
            assertTrue(help.out().contains("\n  " + command + " "), "--help does not list `" + command + "`:\n" + help.out());
        }

        Path home = dir.resolve("fresh-home");
        Run status = jbang("jbang/relay.java", "status", "--home", home.toString());
        assertEquals(0, status.code(), status.out());
        assertTrue(status.out().contains("Relay in " + home + ": not running (no relay has run here yet)"), status.out());
        assertFalse(Files.exists(home), "status must not create the home it looks at");

        Run init = jbang("jbang/relay.java", "init", "--home", home.toString());
        assertEquals(0, init.code(), init.out());
        assertTrue(Files.isRegularFile(home.resolve("config.yaml")), init.out());

        // the real jbang reads the JVM flags of the script (docs/BENCHMARKS.md, "Memory") and starts Relay with them
        Run info = jbang("info", "tools", "jbang/relay.java");
        assertEquals(0, info.code(), info.out());
        com.fasterxml.jackson.databind.JsonNode tools = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(info.out().substring(info.out().indexOf('{')));
        List<String> runtime = new java.util.ArrayList<>();
        tools.path("runtimeOptions").forEach(o -> runtime.add(o.asText()));
        assertEquals(RelayProcess.launcherFlags(), runtime, info.out());

        Run bad = jbang("jbang/relay.java", "status", "--no-such-option");
        assertEquals(2, bad.code(), "bad usage keeps its exit code through jbang: " + bad.out());
        assertTrue(bad.out().contains("--no-such-option"), bad.out());
    }

    @Test
    void the_catalog_alias_starts_the_same_program_from_a_checkout_and_over_http() throws Exception {
        Run local = jbang("relay@" + Path.of("jbang-catalog.json").toAbsolutePath(), "--version");
        assertEquals(0, local.code(), local.out());
        assertTrue(local.out().contains("relay "), local.out());

        // `jbang relay@OWNER/REPO` reads jbang-catalog.json from GitHub and every file the launcher names from beside it:
        // the same as this checkout served over HTTP.
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Path root = Path.of("").toAbsolutePath();
        server.createContext("/", exchange -> {
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            boolean ok = file.startsWith(root) && Files.isRegularFile(file);
            byte[] body = ok ? Files.readAllBytes(file) : "not found".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ok ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            Run trust = jbang("trust", "add", url);
            assertEquals(0, trust.code(), trust.out());
            Path home = dir.resolve("remote-home");
            Run init = jbang("relay@" + url + "jbang-catalog.json", "init", "--home", home.toString());
            assertEquals(0, init.code(), init.out());
            assertTrue(Files.readString(home.resolve("config.yaml")).contains("history_char_cap"),
                    "the config template (a //FILES resource) came over HTTP too");
        } finally {
            server.stop(0);
        }
    }
}
