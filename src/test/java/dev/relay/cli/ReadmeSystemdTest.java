package dev.relay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's systemd unit: restarted on failure, hardened, and starting a command line Relay accepts. */
class ReadmeSystemdTest {
    /** The [Service] settings of the unit in the README (commented lines left out). */
    static Map<String, String> service() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("# /etc/systemd/system/relay.service");
        assertTrue(start > 0, "README.md has no systemd unit (a block starting \"# /etc/systemd/system/relay.service\")");
        Map<String, String> service = new LinkedHashMap<>();
        String section = "";
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("```")) {
                break;
            }
            if (line.startsWith("[")) {
                section = line;
            } else if (section.equals("[Service]") && line.contains("=") && !line.startsWith("#")) {
                service.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return service;
    }

    static List<String> jbangRuntimeOptions() {
        List<String> flags = dev.relay.testing.LauncherFlags.ofJbangScript();
        assertTrue(!flags.isEmpty(), "jbang/relay.java has no //RUNTIME_OPTIONS line");
        return flags;
    }

    @Test
    void the_unit_restarts_on_failure_and_is_hardened() throws Exception {
        Map<String, String> s = service();
        assertEquals("on-failure", s.get("Restart"));
        assertEquals("yes", s.get("NoNewPrivileges"));
        assertEquals("strict", s.get("ProtectSystem"));
        assertEquals("0077", s.get("UMask"));
        assertEquals("yes", s.get("PrivateTmp"));
        assertTrue(s.get("Environment").startsWith("RELAY_HOME="), s.toString());
        assertEquals(s.get("Environment").substring("RELAY_HOME=".length()), s.get("ReadWritePaths"),
                "the home must be the one writable path");
    }

    @Test
    void its_exec_start_is_the_headless_relay() throws Exception {
        String exec = service().get("ExecStart");
        List<String> words = new ArrayList<>(List.of(exec.split(" ")));
        int jar = words.indexOf("-jar");
        assertTrue(jar > 0 && words.get(jar + 1).endsWith("relay.jar"), exec);
        String[] args = words.subList(jar + 2, words.size()).toArray(String[]::new);
        CommandLine.ParseResult parsed = Main.commandLine(Map.of()).parseArgs(args);
        CommandLine.ParseResult run = parsed.subcommand();
        assertEquals(jbangRuntimeOptions(), words.subList(1, jar),
                "the unit gives the JVM the flags jbang/relay.java's //RUNTIME_OPTIONS gives (docs/BENCHMARKS.md, \"Memory\")");
        assertEquals("run", run.commandSpec().name(), exec);
        assertTrue(run.hasMatchedOption("--daemon"), "ExecStart must run the relay with --daemon: " + exec);
    }
}
